//! `claim()`: a claim from the repair to its submission, reusing each operation's checks, each
//! step recorded in the client's journal as it returns (a later run resumes from it).

use super::outcomes::*;
use super::service::*;
use crate::error::{Code, FieldError, SdkError};
use crate::journal::{self, Begun, in_doubt, never_made};
use crate::js::{self, PerCall};
use crate::schema::Operation;
use crate::validate;
use serde_json::{Value, json};
use wasm_bindgen::JsValue;

/// The steps a run records: the claim's id, the files attached, and the submission.
const CLAIM_ID: &str = "claimId";
const CREATING: &str = "creating";
const ATTACHING: &str = "attaching";
/// Files earlier runs sent without recording the answer, beside the one in `attaching`.
const DOUBTFUL: &str = "doubtful";
const ATTACHED: &str = "attached";

/// The names of the files attached (`{ name, digest }` in the journal).
fn names(attached: &[Value]) -> Vec<String> {
    attached
        .iter()
        .filter_map(|a| a["name"].as_str().map(str::to_owned))
        .collect()
}

impl Ecologic {
    pub(super) async fn claim_workflow(
        &self,
        js_input: JsValue,
        call: PerCall,
    ) -> Result<JsValue, SdkError> {
        let read = crate::input::read(&js_input, "input", &call.settings.files).await;
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
                let now = js::now();
                for (i, file) in files.iter_mut().enumerate() {
                    // Each file is checked as `attachFile` would be, without the claim's id
                    // (the claim is not made yet).
                    let mut found = Vec::new();
                    validate::step(
                        Operation::AttachFile,
                        file,
                        &["ClaimId"],
                        &now,
                        &mut found,
                    );
                    errors.extend(found.into_iter().map(|e| FieldError {
                        field: format!("files[{i}].{}", e.field),
                        ..e
                    }));
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
                let identity = journal::identity(
                    "ecologic",
                    &self.connection.base_url,
                    "claim",
                    key.as_deref(),
                    &[&parts[0], &parts[1]],
                );
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
                // A claim an earlier run sent without recording Ecologic's answer may exist: it
                // is never sent again (its id would be on no error).
                if run.record.contains_key(CREATING) {
                    return Err(in_doubt(
                        "An earlier run sent createClaim and did not record Ecologic's answer: the claim may exist, so it is not created again. Find it on Ecologic's portal and go on with attachFile and submitClaim, or give another idempotencyKey to create it anyway.",
                    ));
                }
                self.competence(&call.settings, &claim).await?;
                run.note(CREATING, Value::String(js::now_iso())).await?;
                call.progress.emit("creating", None, None);
                let created = match self.create_claim(&call.settings, claim).await {
                    Ok(created) => created,
                    Err(error) => {
                        if never_made(&error) {
                            let _ = run.forget(CREATING).await;
                        }
                        return Err(error);
                    }
                };
                call.progress.emit("created", None, None);
                let noted = run.note(CLAIM_ID, created.id.into()).await;
                noted.map_err(|e| e.with(|d| d.claim_id = Some(created.id)))?;
                created.id
            }
        };
        let with_claim = |e: SdkError, attached: &[Value]| {
            e.with(|d| {
                d.claim_id = Some(id);
                d.attached = Some(names(attached));
            })
        };
        // Each file attached so far, by its name and fingerprint: a file of this run is skipped
        // when an earlier run attached that same file (a file of the same name is another one).
        let mut earlier = match run.record.get(ATTACHED) {
            Some(Value::Array(files)) => files.clone(),
            _ => Vec::new(),
        };
        let mut attached = earlier.clone();
        for file in files {
            let name = attached_name(&file);
            let digest = file["FileContent"]
                .as_str()
                .and_then(|text| journal::file_digest(text, &call.settings.files));
            let this = json!({ "name": name, "digest": digest });
            if let Some(at) = earlier.iter().position(|e| *e == this) {
                earlier.remove(at);
                skipped.push(format!("attach:{name}"));
                continue;
            }
            let doubtful = |run: &journal::Run| {
                run.record.get(ATTACHING) == Some(&this)
                    || run
                        .record
                        .get(DOUBTFUL)
                        .and_then(Value::as_array)
                        .is_some_and(|d| d.contains(&this))
            };
            if doubtful(&run) {
                return Err(with_claim(
                    in_doubt(&format!(
                        "An earlier run sent {name} and did not record Ecologic's answer: it may be attached already, so it is not sent again. Check the claim (getClaimStatus), then attach it with attachFile or leave it out of files."
                    )),
                    &attached,
                ));
            }
            // Another file an earlier run left in doubt stays in doubt.
            if let Some(earlier) = run.record.remove(ATTACHING) {
                let mut kept = match run.record.remove(DOUBTFUL) {
                    Some(Value::Array(kept)) => kept,
                    _ => Vec::new(),
                };
                kept.push(earlier);
                run.record.insert(DOUBTFUL.to_owned(), Value::Array(kept));
            }
            run.note(ATTACHING, this.clone())
                .await
                .map_err(|e| with_claim(e, &attached))?;
            if let Err(error) = self.attach(id, file, &call).await {
                if never_made(&error) {
                    let _ = run.forget(ATTACHING).await;
                }
                return Err(with_claim(error, &attached));
            }
            attached.push(this);
            run.record.remove(ATTACHING);
            run.note(ATTACHED, Value::Array(attached.clone()))
                .await
                .map_err(|e| with_claim(e, &attached))?;
        }
        run.holds().await.map_err(|e| with_claim(e, &attached))?;
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
            attached: names(&attached),
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
