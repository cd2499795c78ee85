//! `settle`: a role's files uploaded in order, then its settlement, every receipt kept.

use super::service::*;
use crate::error::{Code, FieldError, Kind, SdkError};
use crate::generated::lalux::types as api;
use crate::input;
use crate::js::{self, PerCall};
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
        let read = input::read(&js_input, "input").await;
        let mut errors = read.errors;
        let mut settlement = match read.value {
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
            settlement.insert(
                document.key.to_owned(),
                Value::String("pending-upload.pdf".to_owned()),
            );
            let upload = Value::Object(Map::from_iter([
                ("fileNameWithExtension".to_owned(), name),
                ("file".to_owned(), file),
            ]));
            let mut upload_errors = Vec::new();
            js::check(role.upload_operation(), &upload, &mut upload_errors);
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
        js::check(role.submit_operation(), &settlement, &mut errors);
        role.rules(&settlement, &mut errors);
        if !errors.is_empty() {
            return Err(SdkError::validation(errors));
        }
        let mut uploads = Vec::new();
        for (document, file) in role.documents().iter().zip(files) {
            let receipt = self
                .upload(role, file, &call)
                .await
                .map_err(|e| with_uploads(e, &uploads))?;
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
                    uploads.push(receipt);
                    return Err(with_uploads(
                        SdkError::new(Kind::Refused, message),
                        &uploads,
                    ));
                }
            }
            uploads.push(receipt);
        }
        self.submit(role, settlement, &call)
            .await
            .map_err(|e| with_uploads(e, &uploads))?;
        js::to_js(&SettleResult { uploads })
    }
}

/// The receipts of the uploads made before `error`: their keys cannot be recovered later.
fn with_uploads(error: SdkError, uploads: &[UploadReceipt]) -> SdkError {
    error.with(|d| d.uploads = serde_json::to_value(uploads).ok())
}
