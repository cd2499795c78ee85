//! `claim()`: a claim from the repair to its submission, reusing each operation's checks, each
//! step recorded in the client's journal as it returns (a later run resumes from it).

use super::outcomes::*;
use super::service::*;
use crate::error::{Code, FieldError, Kind, SdkError};
use crate::journal::{self, Begun};
use crate::js::{self, PerCall};
use crate::schema::Operation;
use crate::schema::Spec;
use serde_json::Value;
use wasm_bindgen::JsValue;

/// The steps a run records: the claim's id, the files attached, and the submission.
const CLAIM_ID: &str = "claimId";
const CREATING: &str = "creating";
const ATTACHED: &str = "attached";

impl Ecologic {
    pub(super) async fn claim_workflow(
        &self,
        js_input: JsValue,
        call: PerCall,
    ) -> Result<JsValue, SdkError> {
        let read = crate::input::read(&js_input, "input").await;
        let mut value = read.value;
        let mut errors = read.errors;
        let key = journal::idempotency_key(&mut value, &mut errors);
        // The workflow's own keys are set aside; the rest is `createClaim`'s input.
        let mut take = |key: &str| {
            value
                .as_object_mut()
                .and_then(|o| o.remove(key))
                .unwrap_or(Value::Null)
        };
        let (mut files, submit) = (take("files"), take("submit"));
        match files.as_array_mut() {
            Some(files) => {
                for (i, file) in files.iter_mut().enumerate() {
                    // Each file is checked as `attachFile` would be, for a claim not made yet.
                    default(file, "ClaimId", 1);
                    Spec::ecologic().normalise(Operation::AttachFile, file);
                    for e in Spec::ecologic().check(Operation::AttachFile, file) {
                        errors.push(FieldError {
                            field: format!("files[{i}].{}", e.field),
                            ..e
                        });
                    }
                }
            }
            None => errors.push(FieldError::new(
                "files",
                Code::Type,
                "must be an array of files to attach",
            )),
        }
        if !(submit.is_null() || submit.is_boolean()) {
            errors.push(
                FieldError::new("submit", Code::Type, "must be true or false")
                    .with("expected", "boolean"),
            );
        }
        let submit = submit.as_bool().unwrap_or(true);
        // The claim's identity: its repair site and its invoice (Ecologic's one claim per
        // invoice). Without them the input is refused below, before the journal is read.
        let part = |name: &str| match &value[name] {
            Value::String(text) => Value::String(text.trim().to_owned()),
            other => other.clone(),
        };
        let parts = [part("RepairSiteId"), part("ConsumerInvoiceNumber")];
        let identified = key.is_some() || parts.iter().all(|p| p.is_string() || p.is_number());
        let run = match identified && errors.is_empty() {
            true => {
                let identity =
                    journal::identity("ecologic", "claim", key.as_deref(), &[&parts[0], &parts[1]]);
                // A claim finished without its submission goes on when it is now asked for.
                let done = |result: &Value| !submit || result["submitted"] == Value::Bool(true);
                match self.journal.begin(identity, &call.settings, done).await? {
                    Begun::Finished(result) => return finished(result),
                    Begun::Running(run) => Some(run),
                }
            }
            false => None,
        };
        let recorded = run
            .as_ref()
            .and_then(|r| r.record.get(CLAIM_ID))
            .and_then(Value::as_i64);
        let claim = self
            .check(
                &call.settings,
                value,
                errors,
                Operation::CreateClaim,
                &claim_rules,
                recorded,
            )
            .await?;
        // Validated: the journal is read only for an identified claim.
        let Some(mut run) = run else {
            return Err(SdkError::validation(vec![FieldError::required(
                "ConsumerInvoiceNumber",
            )]));
        };
        let files = match files {
            Value::Array(files) => files,
            _ => Vec::new(),
        };
        let resumed = run.resumed();
        let mut skipped = Vec::new();
        let id = match recorded {
            Some(id) => {
                skipped.push("createClaim".to_owned());
                id
            }
            None => {
                self.competence(&call.settings, &claim).await?;
                // Sent again after a run that did not record its answer: Ecologic refuses an
                // invoice number used twice, so a second claim is never made.
                let again = run.record.contains_key(CREATING);
                run.note(CREATING, Value::String(js::now_iso())).await?;
                call.progress.emit("creating", None, None);
                let created =
                    self.create_claim(&call.settings, claim)
                        .await
                        .map_err(|e| match (again, e.kind) {
                            (true, Kind::Refused) => {
                                e.with(|d| d.may_have_reached_server = Some(true))
                            }
                            _ => e,
                        })?;
                call.progress.emit("created", None, None);
                let noted = run.note(CLAIM_ID, created.id.into()).await;
                noted.map_err(|e| e.with(|d| d.claim_id = Some(created.id)))?;
                created.id
            }
        };
        let with_claim = |e: SdkError, attached: &[String]| {
            e.with(|d| {
                d.claim_id = Some(id);
                d.attached = Some(attached.to_vec());
            })
        };
        let earlier: Vec<String> = crate::json::read(
            run.record
                .get(ATTACHED)
                .cloned()
                .unwrap_or(Value::Array(Vec::new())),
        )
        .unwrap_or_default();
        let mut attached = earlier.clone();
        for file in files {
            let name = attached_name(&file);
            if earlier.contains(&name) {
                skipped.push(format!("attach:{name}"));
                continue;
            }
            let name = self
                .attach(id, file, &call)
                .await
                .map_err(|e| with_claim(e, &attached))?;
            attached.push(name);
            run.note(ATTACHED, attached.clone().into())
                .await
                .map_err(|e| with_claim(e, &attached))?;
        }
        // A submission is sent again on a resumed run: Ecologic answers a submitted claim valid.
        let submitted = match submit {
            true => {
                call.progress.emit("submitting", None, None);
                let outcome = self
                    .submit(&call.settings, id)
                    .await
                    .map_err(|e| with_claim(e, &attached))?;
                call.progress.emit("submitted", None, None);
                outcome.submitted
            }
            false => false,
        };
        // Read last, the status says what Ecologic holds now, and what it still misses.
        let status = self
            .claim_status(&call.settings, id)
            .await
            .map_err(|e| with_claim(e, &attached))?;
        let outcome = ClaimOutcome {
            claim_id: id,
            attached,
            submitted,
            last_status: crate::json::text(&status, "LastStatus").unwrap_or_default(),
            validation_errors: crate::json::list(&status, "ValidationErrors"),
            resumed,
            skipped,
        };
        let result = serde_json::to_value(&outcome).unwrap_or_default();
        // Done: the result is the caller's even if the journal cannot record it (a later run
        // resumes from the steps recorded).
        let _ = run.finish(result).await;
        js::to_js(&outcome)
    }
}

/// What a finished claim gave, for a later run: resumed, every step skipped.
fn finished(mut result: Value) -> Result<JsValue, SdkError> {
    let mut skipped = vec![Value::String("createClaim".to_owned())];
    if let Some(files) = result["attached"].as_array() {
        skipped.extend(
            files
                .iter()
                .filter_map(Value::as_str)
                .map(|f| format!("attach:{f}").into()),
        );
    }
    if result["submitted"] == Value::Bool(true) {
        skipped.push("submitClaim".into());
    }
    if let Some(outcome) = result.as_object_mut() {
        outcome.insert("resumed".to_owned(), Value::Bool(true));
        outcome.insert("skipped".to_owned(), Value::Array(skipped));
    }
    js::to_js(&result)
}
