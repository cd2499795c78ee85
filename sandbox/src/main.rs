//! `cargo run -p sandbox -- [--port N] [--seed N] [--strict]`: serves the sandbox on 127.0.0.1
//! and prints the URLs of both APIs and the credentials it accepts. Port 0 picks a free port;
//! `--strict` refuses what a strict reading of the specs refuses, even where the real servers
//! accept it.

use sandbox::{Config, Sandbox, server};
use std::sync::{Arc, Mutex};

/// Default port when `--port` is not given.
const DEFAULT_PORT: u16 = 8787;

fn parse_args() -> Result<(u16, Config), String> {
    let mut args = std::env::args().skip(1);
    let (mut port, mut config) = (DEFAULT_PORT, Config::default());
    while let Some(flag) = args.next() {
        if flag == "--strict" {
            config.strict = true;
            continue;
        }
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--port" => {
                port = value
                    .parse()
                    .map_err(|_| format!("--port {value}: not a port number"))?
            }
            "--seed" => {
                config.seed = value
                    .parse()
                    .map_err(|_| format!("--seed {value}: not a number"))?
            }
            _ => {
                return Err(format!(
                    "unknown option {flag}; use --port N, --seed N and --strict"
                ));
            }
        }
    }
    Ok((port, config))
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let (port, config) = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("sandbox: {message}");
            std::process::exit(2);
        }
    };
    let sandbox = match Sandbox::new(config, server::now_ms()) {
        Ok(sandbox) => sandbox,
        Err(e) => {
            eprintln!("sandbox: {e}");
            std::process::exit(1);
        }
    };
    let (listener, address) = match server::bind(port).await {
        Ok(bound) => bound,
        Err(e) => {
            eprintln!("sandbox: cannot listen on 127.0.0.1:{port}: {e}");
            std::process::exit(1);
        }
    };
    println!("{}", sandbox.banner(&format!("http://{address}")));
    let sandbox = Arc::new(Mutex::new(sandbox));
    tokio::select! {
        result = server::serve(listener, sandbox) => {
            if let Err(e) = result {
                eprintln!("sandbox: {e}");
                std::process::exit(1);
            }
        }
        _ = tokio::signal::ctrl_c() => {}
    }
}
