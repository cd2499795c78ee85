//! `claim()`: a claim from the repair to its submission, reusing each operation's checks.

use super::outcomes::*;
use super::service::*;
use crate::error::{Code, FieldError, SdkError};
use crate::js::{self, PerCall};
use crate::schema::Operation;
use crate::schema::Spec;
use serde_json::Value;
use wasm_bindgen::JsValue;

impl Ecologic {
    pub(super) async fn claim_workflow(
        &self,
        js_input: JsValue,
        call: PerCall,
    ) -> Result<JsValue, SdkError> {
        let read = crate::input::read(&js_input, "input").await;
        let mut value = read.value;
        let mut errors = read.errors;
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
        let claim = self
            .check(
                &call.settings,
                value,
                errors,
                Operation::CreateClaim,
                &claim_rules,
            )
            .await?;
        let files = match files {
            Value::Array(files) => files,
            _ => Vec::new(),
        };
        self.competence(&call.settings, &claim).await?;

        call.progress.emit("creating", None, None);
        let created = self.create_claim(&call.settings, claim).await?;
        call.progress.emit("created", None, None);
        let id = created.id;
        let with_claim = |e: SdkError, attached: &[String]| {
            e.with(|d| {
                d.claim_id = Some(created.id);
                d.attached = Some(attached.to_vec());
            })
        };
        let mut attached = Vec::new();
        for file in files {
            let name = self
                .attach(id, file, &call)
                .await
                .map_err(|e| with_claim(e, &attached))?;
            attached.push(name);
        }
        let submitted = match submit.as_bool().unwrap_or(true) {
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
        js::to_js(&ClaimOutcome {
            claim_id: created.id,
            attached,
            submitted,
            last_status: crate::json::text(&status, "LastStatus").unwrap_or_default(),
            validation_errors: crate::json::list(&status, "ValidationErrors"),
        })
    }
}
