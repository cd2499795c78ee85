//! `settle`: a role's files uploaded in order, then its settlement, every receipt kept.

use super::service::*;
use crate::error::{Code, FieldError, Kind, SdkError};
use crate::files;
use crate::generated::lalux::types as api;
use crate::input;
use crate::journal::{self, Begun, Run};
use crate::js::{self, PerCall};
use crate::validate;
use serde_json::{Map, Value};
use wasm_bindgen::JsValue;

impl Lalux {
    /// Checks a settle input, uploads its files in order, then submits: the receipts of every
    /// upload reach the caller, with the settlement's outcome or with the error.
    pub(super) async fn settle(
        &self,
        role: Role,
        js_input: JsValue,
        call: PerCall,
    ) -> Result<JsValue, SdkError> {
        let read = input::read(&js_input, "input", &call.settings.files).await;
        let mut errors = read.errors;
        let now = js::now();
        let mut value = read.value;
        let key = journal::idempotency_key(&mut value, &mut errors);
        let mut settlement = match value {
            Value::Object(map) => map,
            _ => {
                return Err(SdkError::validation(vec![
                    FieldError::new("input", Code::Type, "must be an object")
                        .with("expected", "object"),
                ]));
            }
        };
        let mut files = Vec::new();
        for document in role.documents() {
            let file = settlement.remove(document.file).unwrap_or(Value::Null);
            let name = settlement
                .remove(document.name)
                .unwrap_or_else(|| Value::String(document.default_name.to_owned()));
            if settlement.contains_key(document.key) {
                errors.push(
                    FieldError::new(
                        document.key,
                        Code::SetByWorkflow,
                        format!("is set by settle from the upload of {}", document.file),
                    )
                    .with("file", document.file),
                );
            }
            settlement.remove(document.key);
            let mut upload = Value::Object(Map::from_iter([
                ("fileNameWithExtension".to_owned(), name),
                ("file".to_owned(), file),
            ]));
            let mut upload_errors = Vec::new();
            validate::offline(
                role.upload_operation(),
                &mut upload,
                &now,
                &mut upload_errors,
            );
            errors.extend(upload_errors.into_iter().map(|e| FieldError {
                field: if e.field == "file" {
                    document.file.to_owned()
                } else {
                    document.name.to_owned()
                },
                ..e
            }));
            files.push(upload);
        }
        let mut settlement = Value::Object(settlement);
        // Checked without the keys the uploads give.
        let keys: Vec<&str> = role.documents().iter().map(|d| d.key).collect();
        validate::step(
            role.submit_operation(),
            &mut settlement,
            &keys,
            &now,
            &mut errors,
        );
        if !errors.is_empty() {
            return Err(SdkError::validation(errors));
        }
        // The settlement's identity: the provider's id and the invoice's reference.
        let identity = journal::identity(
            "lalux",
            &self.api_url,
            role.settle_name(),
            key.as_deref(),
            &[
                &settlement[role.provider_field()],
                &settlement["referenceFacture"],
            ],
        );
        let mut run = match self
            .journal
            .begin(identity, &call.settings, |_| true)
            .await?
        {
            Begun::Finished(result) => return finished(role, result),
            Begun::Running(run) => run,
        };
        let mut done = SettleResult {
            uploads: Vec::new(),
            resumed: run.resumed(),
            skipped: Vec::new(),
        };
        for (document, file) in role.documents().iter().zip(files) {
            let step = format!("upload:{}", document.file);
            let digest = file["file"]
                .as_str()
                .and_then(|text| journal::file_digest(text, &call.settings.files));
            if let Some((kept, key)) = kept_upload(&run, &step, &file, digest.as_deref()) {
                settlement[document.key] = Value::String(key);
                done.uploads.push(kept);
                done.skipped.push(step);
                continue;
            }
            let receipt = self
                .upload(role, file, &call)
                .await
                .map_err(|e| with_uploads(e, &done.uploads))?;
            let verified = receipt.status == api::UploadStatus::Verified;
            match (&receipt.key, verified) {
                (Some(key), true) => settlement[document.key] = Value::String(key.clone()),
                _ => {
                    let message = format!(
                        "LALUX did not keep {} ({}): nothing was submitted. {}",
                        receipt.file_name_with_extension,
                        receipt.status,
                        match receipt.status {
                            api::UploadStatus::Infected =>
                                "The file is infected: send a clean copy.",
                            api::UploadStatus::FileTooBig => "The file is over 5 242 880 bytes.",
                            _ => "Try again later.",
                        }
                    );
                    done.uploads.push(receipt_value(&receipt));
                    return Err(with_uploads(
                        SdkError::new(Kind::Refused, message),
                        &done.uploads,
                    ));
                }
            }
            done.uploads.push(receipt_value(&receipt));
            // Kept with the file's fingerprint: a later run reuses the key for the same file only.
            let mut noted = receipt_value(&receipt);
            noted["digest"] = digest.map(Value::String).unwrap_or_default();
            run.note(&step, noted)
                .await
                .map_err(|e| with_uploads(e, &done.uploads))?;
        }
        // A settlement is never sent twice: one an earlier run sent without recording LALUX's
        // answer may have reached it.
        if run.record.contains_key(SUBMITTING) {
            return Err(with_uploads(
                journal::in_doubt(
                    "An earlier run sent this settlement and did not record LALUX's answer: it may have reached LALUX, so it is not sent again. Check with LALUX, then give another idempotencyKey to send it anyway.",
                ),
                &done.uploads,
            ));
        }
        run.note(SUBMITTING, Value::String(crate::js::now_iso()))
            .await
            .map_err(|e| with_uploads(e, &done.uploads))?;
        if let Err(error) = self.submit(role, settlement, &call).await {
            // Refused, or certainly never received: a later run may send it.
            if journal::never_made(&error) {
                let _ = run.forget(SUBMITTING).await;
            }
            return Err(with_uploads(error, &done.uploads));
        }
        // Sent and accepted: the result is the caller's even if the journal cannot record it
        // (a later run then refuses to send it again, as above).
        let _ = run
            .finish(serde_json::to_value(&done).unwrap_or_default())
            .await;
        js::to_js(&done)
    }
}

/// The step recorded before a settlement is sent.
const SUBMITTING: &str = "submitting";
/// How long an upload key is reused: LALUX keeps a file 24 h, less an hour to submit in.
const KEY_KEPT_MS: f64 = 23.0 * 3_600_000.0;

/// What a finished settlement gave, for a later run: resumed, every step skipped.
fn finished(role: Role, mut result: Value) -> Result<JsValue, SdkError> {
    let skipped = role
        .documents()
        .iter()
        .map(|d| Value::String(format!("upload:{}", d.file)))
        .chain([Value::String("submit".to_owned())])
        .collect();
    if let Some(outcome) = result.as_object_mut() {
        outcome.insert("resumed".to_owned(), Value::Bool(true));
        outcome.insert("skipped".to_owned(), Value::Array(skipped));
    }
    js::to_js(&result)
}

/// An upload's receipt, as the caller and the journal hold it.
fn receipt_value(receipt: &UploadReceipt) -> Value {
    serde_json::to_value(receipt).unwrap_or_default()
}

/// The receipt an earlier run recorded for upload `step`, and its key, if the key may be
/// reused: the same file (name, size and fingerprint `digest`), verified, uploaded less than
/// [`KEY_KEPT_MS`] ago.
fn kept_upload(
    run: &Run,
    step: &str,
    upload: &Value,
    digest: Option<&str>,
) -> Option<(Value, String)> {
    let mut receipt = run.record.get(step)?.clone();
    let key = receipt["key"].as_str()?.to_owned();
    let bytes = upload["file"].as_str().and_then(files::size);
    let uploaded = js_sys::Date::parse(receipt["uploadedAt"].as_str()?);
    let fresh = js_sys::Date::now() - uploaded < KEY_KEPT_MS;
    let same = digest.is_some() && receipt["digest"].as_str() == digest;
    let reused = receipt["status"] == "Verified"
        && upload["fileNameWithExtension"] == receipt["fileNameWithExtension"]
        && bytes.is_some_and(|b| receipt["bytes"].as_u64() == Some(b as u64))
        && same
        && fresh;
    receipt.as_object_mut()?.remove("digest");
    reused.then_some((receipt, key))
}

/// The receipts of the uploads made before `error`: their keys cannot be recovered later.
fn with_uploads(error: SdkError, uploads: &[Value]) -> SdkError {
    error.with(|d| d.uploads = Some(Value::Array(uploads.to_vec())))
}
