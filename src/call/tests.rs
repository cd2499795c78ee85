//! The call path natively, on a scripted host with a virtual clock.
use super::*;
use crate::schema::Operation;

#[test]
fn a_reply_body_is_decoded_as_fetch_text_decodes_it() {
    assert_eq!(json(br#"{"a":1}"#), Some(serde_json::json!({"a": 1})));
    assert_eq!(
        json(b"\xEF\xBB\xBF{\"a\":1}"),
        Some(serde_json::json!({"a": 1})),
        "a byte-order mark (some ASP.NET servers send one)"
    );
    assert_eq!(
        json(b"{\"a\":\"R\xE9paration\"}"),
        Some(serde_json::json!({"a": "R\u{FFFD}paration"})),
        "Latin-1 in a string: replaced, as text() does"
    );
    assert_eq!(json(b"<html>"), None);
}

#[test]
fn a_policy_budget_is_every_attempt_and_every_wait_between() {
    let policy = |timeout_ms, max_retries, base_ms| Policy {
        timeout: Duration::from_millis(timeout_ms),
        max_retries,
        base_delay: Duration::from_millis(base_ms),
        hooks: Hooks::default(),
        gateway: None,
    };
    assert_eq!(policy(300, 0, 10).budget(), Duration::from_millis(300));
    assert_eq!(policy(300, 2, 10).budget(), Duration::from_millis(930));
    assert_eq!(
        policy(600_000, 10, 30_000).budget(),
        Duration::from_secs(6_600 + 300),
        "each wait at most 30 s"
    );
}

#[test]
fn retry_after_is_read_as_seconds_or_as_an_http_date() {
    let now = 1_700_000_000_000.0; // 2023-11-14T22:13:20Z
    assert_eq!(
        parse_retry_after(" 120 ", now),
        Some(Duration::from_secs(120))
    );
    assert_eq!(
        parse_retry_after("Tue, 14 Nov 2023 22:13:50 GMT", now),
        Some(Duration::from_secs(30))
    );
    assert_eq!(
        parse_retry_after("Tue, 14 Nov 2023 22:13:00 GMT", now),
        Some(Duration::ZERO),
        "a date already past: no wait"
    );
    assert_eq!(parse_retry_after("soon", now), None);
    assert_eq!(parse_retry_after("-5", now), None);
}

// ---- The send loop on a scripted host -------------------------------------------------------

use futures_util::future::{FutureExt, poll_fn};
use serde_json::json;
use std::cell::Cell;
use std::collections::VecDeque;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

/// What the scripted server does with the next attempt.
enum Step {
    /// Replies `status` with `body` (and a `Retry-After`).
    Reply(u16, &'static str, Option<&'static str>),
    /// No reply: the attempt fails so.
    Fail(Failed),
    /// No reply until the attempt's timeout, which the virtual clock passes.
    Hang,
    /// The caller aborts while the attempt is under way.
    Abort,
}

/// What the scripted server was sent.
#[derive(Debug)]
struct Sent {
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    body: Option<String>,
    at_ms: f64,
}

/// A host on a virtual clock: each attempt takes the next [`Step`]; sleeping moves the clock.
#[derive(Default)]
struct Scripted {
    steps: RefCell<VecDeque<Step>>,
    sent: RefCell<Vec<Sent>>,
    slept: RefCell<Vec<Duration>>,
    clock_ms: Cell<f64>,
    /// The caller's signal, shared with [`Flag`].
    aborted: Rc<Cell<bool>>,
    /// A step's budget ([`Host::after`]) waited for.
    budgets: RefCell<Vec<Duration>>,
    /// The caller aborts during the first wait between attempts.
    abort_while_sleeping: bool,
}

/// 2023-11-14T22:13:20Z: the wall clock at virtual time 0.
const EPOCH_MS: f64 = 1_700_000_000_000.0;

impl Scripted {
    fn new(steps: impl IntoIterator<Item = Step>) -> Self {
        Self {
            steps: RefCell::new(steps.into_iter().collect()),
            ..Self::default()
        }
    }

    fn signal(&self) -> Abort {
        Abort::new(Flag(self.aborted.clone()))
    }

    fn attempts(&self) -> usize {
        self.sent.borrow().len()
    }
}

impl Host for Scripted {
    type Body = String;

    fn body(&self, body: Body, _: &crate::files::Files) -> Option<String> {
        match body {
            Body::Json(value) | Body::Relayed(value) => Some(value.to_string()),
            Body::Form(text) => Some(text),
            Body::None => None,
        }
    }

    async fn attempt(
        &self,
        outgoing: &Outgoing<'_, String>,
        timeout: Duration,
    ) -> Result<Incoming, Failed> {
        self.sent.borrow_mut().push(Sent {
            method: outgoing.method.to_owned(),
            url: outgoing.url.to_owned(),
            headers: outgoing
                .headers
                .iter()
                .map(|(n, v)| (n.to_owned(), v.to_owned()))
                .collect(),
            body: outgoing.body.cloned(),
            at_ms: self.clock_ms.get(),
        });
        let step = self.steps.borrow_mut().pop_front();
        match step.expect("an attempt the script does not expect") {
            Step::Reply(status, body, retry_after) => Ok(Incoming {
                status,
                retry_after: retry_after.map(str::to_owned),
                body: Ok(body.as_bytes().to_vec()),
                headers: JsValue::UNDEFINED,
            }),
            Step::Fail(failed) => Err(failed),
            Step::Hang => {
                self.clock_ms
                    .set(self.clock_ms.get() + timeout.as_millis() as f64);
                Err(Failed::Timeout)
            }
            Step::Abort => {
                self.aborted.set(true);
                std::future::pending().await
            }
        }
    }

    async fn sleep(&self, duration: Duration) {
        self.slept.borrow_mut().push(duration);
        if self.abort_while_sleeping {
            self.aborted.set(true);
            std::future::pending::<()>().await;
        }
        self.clock_ms
            .set(self.clock_ms.get() + duration.as_millis() as f64);
    }

    async fn after(&self, duration: Duration) {
        // Time passes only when nothing else can: the step raced against it goes first.
        self.budgets.borrow_mut().push(duration);
        self.clock_ms
            .set(self.clock_ms.get() + duration.as_millis() as f64);
    }

    fn monotonic_ms(&self) -> f64 {
        self.clock_ms.get()
    }

    fn now_ms(&self) -> f64 {
        EPOCH_MS + self.clock_ms.get()
    }

    fn random(&self) -> f64 {
        0.5
    }
}

/// A signal the scripted host fires.
struct Flag(Rc<Cell<bool>>);

impl Signal for Flag {
    fn aborted(&self) -> bool {
        self.0.get()
    }

    fn fired(&self) -> LocalBoxFuture<'_, ()> {
        poll_fn(|_| match self.0.get() {
            true => Poll::Ready(()),
            false => Poll::Pending,
        })
        .boxed_local()
    }

    fn reason(&self) -> Option<JsValue> {
        None
    }
}

/// Headers `authorization: Bearer <n>`, a new `n` on every refresh.
#[derive(Default)]
struct Tokens {
    asked: RefCell<Vec<bool>>,
    /// Never answers (a token service that hangs).
    hangs: bool,
    refreshable: bool,
}

impl HeaderSource for Tokens {
    fn headers(&self, refresh: bool) -> LocalBoxFuture<'_, Result<Headers, SdkError>> {
        self.asked.borrow_mut().push(refresh);
        let n = self.asked.borrow().iter().filter(|r| **r).count();
        let hangs = self.hangs;
        async move {
            if hangs {
                std::future::pending::<()>().await;
            }
            Ok(Headers::one("authorization", &format!("Bearer {n}")).unwrap())
        }
        .boxed_local()
    }

    fn refreshable(&self) -> bool {
        self.refreshable
    }
}

/// Runs `future` to its end: the scripted host never waits for anything outside the test.
fn run<T>(future: impl Future<Output = T>) -> T {
    let mut future = pin!(future);
    let mut context = Context::from_waker(Waker::noop());
    for _ in 0..1000 {
        if let Poll::Ready(value) = future.as_mut().poll(&mut context) {
            return value;
        }
    }
    panic!("the call never settled")
}

fn policy(max_retries: u32) -> Policy {
    Policy {
        timeout: Duration::from_millis(1_000),
        max_retries,
        base_delay: Duration::from_millis(200),
        hooks: Hooks::default(),
        gateway: None,
    }
}

fn upload() -> Request {
    Request {
        operation: Operation::UploadRepairerFile,
        method: "PUT".into(),
        target: "/reparateur/upload".into(),
        body: Body::Json(json!({"fileNameWithExtension": "a.pdf", "file": "JVBERg=="})),
    }
}

fn settlement() -> Request {
    Request {
        operation: Operation::SubmitRepairSettlement,
        method: "PUT".into(),
        target: "/reparateur".into(),
        body: Body::Json(json!({"idPrestataire": "P1"})),
    }
}

const KEPT: &str = r#"{"key":"k.pdf","status":"Verified"}"#;

/// Sends `request` on `host` with `max_retries` and a token source.
fn send_lalux(
    host: &Scripted,
    settings: &Settings,
    repeat: Repeat,
    auth: &Tokens,
    request: Request,
) -> Result<Reply, SdkError> {
    run(send_on(
        host,
        settings,
        repeat,
        auth,
        (Spec::lalux(), "https://lalux.test"),
        request,
    ))
}

fn success(reply: Result<Reply, SdkError>) -> (u16, Value) {
    match reply {
        Ok(Reply::Success { status, value }) => (status, value),
        Ok(Reply::Refusal { status, .. }) => panic!("refused with {status}"),
        Err(error) => panic!("failed: {:?} {}", error.kind, error.message),
    }
}

#[test]
fn a_read_is_retried_on_503_with_a_jittered_exponential_backoff() {
    let host = Scripted::new([
        Step::Reply(503, "", None),
        Step::Fail(Failed::Network { unsent: false }),
        Step::Reply(200, KEPT, None),
    ]);
    let reply = send_lalux(
        &host,
        &Settings::of(policy(2)),
        Repeat::Safe,
        &Tokens::default(),
        upload(),
    );
    assert_eq!(
        success(reply),
        (200, json!({"key": "k.pdf", "status": "Verified"}))
    );
    assert_eq!(
        *host.slept.borrow(),
        [Duration::from_millis(100), Duration::from_millis(200)],
        "full jitter (random 0.5) under 200 ms, then 400 ms"
    );
    let sent = host.sent.borrow();
    assert_eq!(sent.len(), 3);
    assert!(
        sent.iter()
            .all(|s| s.method == "PUT" && s.url == "https://lalux.test/reparateur/upload")
    );
    assert_eq!(
        sent[0].body.as_deref(),
        Some(r#"{"file":"JVBERg==","fileNameWithExtension":"a.pdf"}"#),
        "the same body on every attempt"
    );
    assert_eq!(sent[2].body, sent[0].body);
    assert_eq!(
        sent[0].headers,
        [("authorization".to_owned(), "Bearer 0".to_owned())]
    );
}

#[test]
fn retries_stop_at_max_retries_with_the_last_refusal() {
    let host = Scripted::new([
        Step::Reply(503, "", None),
        Step::Reply(503, "", None),
        Step::Reply(503, "", None),
    ]);
    let error = send_lalux(
        &host,
        &Settings::of(policy(2)),
        Repeat::Safe,
        &Tokens::default(),
        upload(),
    )
    .err()
    .expect("an error");
    assert_eq!(host.attempts(), 3, "1 + maxRetries attempts");
    assert_eq!(error.kind, Kind::UnexpectedResponse);
    assert_eq!(error.status, Some(503));
    assert_eq!(
        error.details.may_have_reached_server, None,
        "a read says nothing of it"
    );
}

#[test]
fn retry_after_is_honoured_as_seconds_and_as_a_date_and_refused_past_30_s() {
    let host = Scripted::new([
        Step::Reply(429, "{}", Some("3")),
        Step::Reply(503, "", Some("Tue, 14 Nov 2023 22:13:30 GMT")),
        Step::Reply(200, KEPT, None),
    ]);
    success(send_lalux(
        &host,
        &Settings::of(policy(3)),
        Repeat::Safe,
        &Tokens::default(),
        upload(),
    ));
    assert_eq!(
        *host.slept.borrow(),
        [Duration::from_secs(3), Duration::from_secs(7)],
        "3 s, then until 22:13:30 (the clock is at 22:13:23)"
    );
    assert_eq!(host.sent.borrow()[1].at_ms, 3_000.0);

    let host = Scripted::new([
        Step::Reply(503, "", Some("31")),
        Step::Reply(200, KEPT, None),
    ]);
    let error = send_lalux(
        &host,
        &Settings::of(policy(3)),
        Repeat::Safe,
        &Tokens::default(),
        upload(),
    )
    .err()
    .expect("no wait past 30 s");
    assert_eq!((error.status, host.attempts()), (Some(503), 1));
}

#[test]
fn a_write_is_never_sent_again_once_it_may_have_reached_the_server() {
    for step in [
        Step::Reply(503, "", None),
        Step::Fail(Failed::Network { unsent: false }),
        Step::Hang,
    ] {
        let host = Scripted::new([step, Step::Reply(202, "", None)]);
        let error = send_lalux(
            &host,
            &Settings::of(policy(3)),
            Repeat::Never,
            &Tokens::default(),
            settlement(),
        )
        .err()
        .expect("an error");
        assert_eq!(host.attempts(), 1, "{:?}", error.kind);
        assert_eq!(error.details.may_have_reached_server, Some(true));
    }
    let host = Scripted::new([Step::Hang]);
    let error = send_lalux(
        &host,
        &Settings::of(policy(3)),
        Repeat::Never,
        &Tokens::default(),
        settlement(),
    )
    .err()
    .expect("a timeout");
    assert_eq!(error.kind, Kind::Timeout);
    assert_eq!(host.clock_ms.get(), 1_000.0, "given up at timeoutMs");
}

#[test]
fn a_write_that_certainly_never_left_is_sent_again() {
    let host = Scripted::new([
        Step::Fail(Failed::Network { unsent: true }),
        Step::Reply(202, "", None),
    ]);
    let (status, _) = success(send_lalux(
        &host,
        &Settings::of(policy(1)),
        Repeat::Never,
        &Tokens::default(),
        settlement(),
    ));
    assert_eq!((status, host.attempts()), (202, 2));

    let host = Scripted::new([Step::Fail(Failed::Network { unsent: true })]);
    let error = send_lalux(
        &host,
        &Settings::of(policy(0)),
        Repeat::Never,
        &Tokens::default(),
        settlement(),
    )
    .err()
    .expect("a network error");
    assert_eq!(
        (error.kind, error.details.may_have_reached_server),
        (Kind::Network, Some(false))
    );
}

#[test]
fn a_401_renews_the_headers_once() {
    let tokens = Tokens {
        refreshable: true,
        ..Tokens::default()
    };
    let refused = r#"{"error":"invalid_token"}"#;
    let host = Scripted::new([
        Step::Reply(401, refused, None),
        Step::Reply(200, KEPT, None),
    ]);
    success(send_lalux(
        &host,
        &Settings::of(policy(0)),
        Repeat::Safe,
        &tokens,
        upload(),
    ));
    assert_eq!(
        *tokens.asked.borrow(),
        [false, true],
        "renewed after the 401, retries aside"
    );
    let sent: Vec<_> = host
        .sent
        .borrow()
        .iter()
        .map(|s| s.headers[0].1.clone())
        .collect();
    assert_eq!(
        sent,
        ["Bearer 0", "Bearer 1"],
        "the renewed token is the one sent"
    );

    let tokens = Tokens {
        refreshable: true,
        ..Tokens::default()
    };
    let host = Scripted::new([
        Step::Reply(401, refused, None),
        Step::Reply(401, refused, None),
    ]);
    let reply = send_lalux(
        &host,
        &Settings::of(policy(3)),
        Repeat::Never,
        &tokens,
        settlement(),
    );
    assert!(matches!(reply, Ok(Reply::Refusal { status: 401, .. })));
    assert_eq!(
        (host.attempts(), tokens.asked.borrow().len()),
        (2, 2),
        "once, even for a write"
    );

    let fixed = Tokens::default();
    let host = Scripted::new([Step::Reply(401, refused, None)]);
    let reply = send_lalux(
        &host,
        &Settings::of(policy(3)),
        Repeat::Safe,
        &fixed,
        upload(),
    );
    assert!(matches!(reply, Ok(Reply::Refusal { status: 401, .. })));
    assert_eq!(host.attempts(), 1, "static headers are not asked again");
}

#[test]
fn an_abort_stops_the_call_before_during_and_between_attempts() {
    let host = Scripted::new([]);
    host.aborted.set(true);
    let mut settings = Settings::of(policy(3));
    settings.abort = host.signal();
    let error = send_lalux(
        &host,
        &settings,
        Repeat::Never,
        &Tokens::default(),
        settlement(),
    )
    .err()
    .expect("aborted");
    assert_eq!(
        (error.kind, error.details.may_have_reached_server),
        (Kind::Aborted, Some(false))
    );
    assert_eq!(host.attempts(), 0, "nothing sent");

    let host = Scripted::new([Step::Abort]);
    settings.abort = host.signal();
    let error = send_lalux(
        &host,
        &settings,
        Repeat::Never,
        &Tokens::default(),
        settlement(),
    )
    .err()
    .expect("aborted");
    assert_eq!(
        (error.kind, error.details.may_have_reached_server),
        (Kind::Aborted, Some(true))
    );

    // The caller aborts while the call waits to try again: the wait is cut short.
    let host = Scripted {
        abort_while_sleeping: true,
        ..Scripted::new([Step::Reply(503, "", Some("5"))])
    };
    settings.abort = host.signal();
    let error = send_lalux(&host, &settings, Repeat::Safe, &Tokens::default(), upload())
        .err()
        .expect("aborted");
    assert_eq!(error.kind, Kind::Aborted);
    assert_eq!((host.attempts(), host.slept.borrow().len()), (1, 1));
}

#[test]
fn a_step_before_the_request_is_given_up_after_the_call_s_budget() {
    let host = Scripted::new([]);
    let hanging = Tokens {
        hangs: true,
        ..Tokens::default()
    };
    let error = send_lalux(
        &host,
        &Settings::of(policy(2)),
        Repeat::Never,
        &hanging,
        settlement(),
    )
    .err()
    .expect("a timeout");
    assert_eq!(error.kind, Kind::Timeout);
    assert_eq!(error.details.may_have_reached_server, Some(false));
    assert_eq!(
        *host.budgets.borrow(),
        [Duration::from_millis(3 * 1_000 + 200 + 400)],
        "three attempts and the two waits between them"
    );
    assert_eq!(host.attempts(), 0);
}

#[test]
fn a_reply_is_read_as_its_status_documents_it() {
    // 202 documents no body: whatever came is ignored.
    let host = Scripted::new([Step::Reply(202, "<html>", None)]);
    let (status, value) = success(send_lalux(
        &host,
        &Settings::of(policy(0)),
        Repeat::Never,
        &Tokens::default(),
        settlement(),
    ));
    assert_eq!((status, value), (202, Value::Null));

    // A documented status whose body breaks its schema: every field at fault, the body kept.
    let host = Scripted::new([Step::Reply(200, r#"{"key":7}"#, None)]);
    let error = send_lalux(
        &host,
        &Settings::of(policy(2)),
        Repeat::Safe,
        &Tokens::default(),
        upload(),
    )
    .err()
    .expect("undocumented");
    assert_eq!(error.kind, Kind::UnexpectedResponse);
    let mut fields: Vec<_> = error.fields.iter().map(|f| f.field.as_str()).collect();
    fields.sort();
    assert_eq!(fields, ["key", "status"]);
    assert_eq!(error.body.as_deref(), Some(r#"{"key":7}"#));
    assert_eq!(host.attempts(), 1, "not retried");

    // A status the operation does not document, and an oversized or redirected reply.
    // A refusal of the credentials: the write was not made, and the error says so by its kind.
    let host = Scripted::new([Step::Reply(403, "{}", None)]);
    let error = send_lalux(
        &host,
        &Settings::of(policy(3)),
        Repeat::Never,
        &Tokens::default(),
        settlement(),
    )
    .err()
    .expect("refused");
    assert_eq!(
        (error.kind, error.status),
        (Kind::Authentication, Some(403))
    );
    assert_eq!(error.details.may_have_reached_server, None);
    for (step, kind) in [
        (Step::Reply(418, "teapot", None), Kind::UnexpectedResponse),
        (Step::Fail(Failed::TooLarge), Kind::UnexpectedResponse),
        (
            Step::Fail(Failed::Redirect {
                status: 302,
                origin: "https://elsewhere.test".into(),
            }),
            Kind::UnexpectedResponse,
        ),
    ] {
        let host = Scripted::new([step]);
        let error = send_lalux(
            &host,
            &Settings::of(policy(3)),
            Repeat::Never,
            &Tokens::default(),
            settlement(),
        )
        .err()
        .expect("an error");
        assert_eq!(
            (error.kind, error.details.may_have_reached_server),
            (kind, Some(true))
        );
        assert_eq!(host.attempts(), 1);
    }
}

#[test]
fn a_token_reply_that_breaks_its_schema_never_shows_what_it_holds() {
    let host = Scripted::new([Step::Reply(
        200,
        r#"{"access_token":"s3cret","expires_in":"soon"}"#,
        None,
    )]);
    let request = Request {
        operation: Operation::RequestToken,
        method: "POST".into(),
        target: "/token".into(),
        body: Body::Form("grant_type=client_credentials".into()),
    };
    let error = run(send_on(
        &host,
        &Settings::of(policy(0)),
        Repeat::Safe,
        &Tokens::default(),
        (Spec::lalux_token(), "https://t.test"),
        request,
    ))
    .err()
    .expect("undocumented");
    let shown = format!("{:?} {}", *error, error.message);
    assert!(!shown.contains("s3cret"), "{shown}");
    assert!(!error.fields.is_empty());
    assert_eq!(
        host.sent.borrow()[0].body.as_deref(),
        Some("grant_type=client_credentials")
    );
}

/// A contract whose `429` says the call went no further (as a gateway's own rate limit does).
struct HeldBack;

impl Contract for HeldBack {
    fn name(&self) -> &'static str {
        "relayed"
    }
    fn documents(&self, _status: u16) -> Option<bool> {
        Some(true)
    }
    fn secret_replies(&self) -> bool {
        false
    }
    fn check_reply(&self, _status: u16, _body: &Value) -> Vec<FieldError> {
        Vec::new()
    }
    fn held_back(&self, status: u16) -> bool {
        status == 429
    }
}

#[test]
fn a_write_held_back_by_its_contract_goes_again_after_retry_after_and_one_that_may_have_gone_on_does_not()
 {
    let send = |host: &Scripted| {
        run(send_to(
            host,
            &Settings::of(policy(2)),
            Repeat::Never,
            &Tokens::default(),
            &HeldBack,
            ("POST", "https://gateway.test/m"),
            Body::Json(json!({})),
        ))
    };
    let host = Scripted::new([
        Step::Reply(429, "{}", Some("2")),
        Step::Reply(200, r#"{"data":1}"#, None),
    ]);
    assert_eq!(success(send(&host)), (200, json!({"data": 1})));
    assert_eq!(host.attempts(), 2);
    assert_eq!(*host.slept.borrow(), [Duration::from_secs(2)]);

    let host = Scripted::new([Step::Reply(503, "{}", None), Step::Reply(200, "{}", None)]);
    match send(&host) {
        Ok(Reply::Refusal { status, .. }) => assert_eq!(status, 503),
        _ => panic!("a 503 of a write is its answer"),
    }
    assert_eq!(host.attempts(), 1, "never sent twice");
}
