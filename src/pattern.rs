//! The specs' `pattern`s (ECMA-262 regular expressions). In wasm the host's `RegExp` runs them,
//! so no regex engine ships in the module; native builds (unit tests) use `regress`, an
//! ECMA-262 engine, with the same semantics.

/// Whether `text` matches `pattern`; `None` when the pattern does not compile.
#[cfg(target_arch = "wasm32")]
pub fn matches(pattern: &str, text: &str) -> Option<bool> {
    use std::{cell::RefCell, collections::HashMap};
    use wasm_bindgen::{JsCast, JsValue};
    thread_local! {
        static COMPILED: RefCell<HashMap<String, js_sys::RegExp>> = RefCell::default();
    }
    let cached = COMPILED.with(|c| c.borrow().get(pattern).cloned());
    let regexp = match cached {
        Some(regexp) => regexp,
        None => {
            let constructor: js_sys::Function =
                js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("RegExp"))
                    .ok()?
                    .dyn_into()
                    .ok()?;
            // `Reflect.construct` catches the SyntaxError of a pattern that does not compile.
            let regexp: js_sys::RegExp = js_sys::Reflect::construct(
                &constructor,
                &js_sys::Array::of1(&JsValue::from_str(pattern)),
            )
            .ok()?
            .dyn_into()
            .ok()?;
            COMPILED.with(|c| c.borrow_mut().insert(pattern.to_owned(), regexp.clone()));
            regexp
        }
    };
    Some(regexp.test(text))
}

/// Whether `text` matches `pattern`; `None` when the pattern does not compile.
#[cfg(not(target_arch = "wasm32"))]
pub fn matches(pattern: &str, text: &str) -> Option<bool> {
    regress::Regex::new(pattern)
        .ok()
        .map(|re| re.find(text).is_some())
}
