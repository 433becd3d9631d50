//! Command-line entry to the generator:
//!
//! - `wechat-oa-codegen check [SPEC_DIR]`: validate, print every problem.
//! - `wechat-oa-codegen generate [SPEC_DIR] [OUT_DIR]`: write the generated files.
//! - `wechat-oa-codegen schema [SPEC_DIR]`: write `schema.json` (and `errors.schema.json`).

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cmd = args.first().map(String::as_str).unwrap_or("check");
    let spec = PathBuf::from(args.get(1).map(String::as_str).unwrap_or("spec"));
    match cmd {
        "check" => match wechat_oa_codegen::generate_dir(&spec) {
            Ok(files) => {
                println!("spec OK: {} files would be generated", files.len());
                ExitCode::SUCCESS
            }
            Err(d) => {
                eprintln!("{d}");
                eprintln!("{} problem(s)", d.len());
                ExitCode::FAILURE
            }
        },
        "generate" => {
            let out = PathBuf::from(args.get(2).map(String::as_str).unwrap_or("generated"));
            match wechat_oa_codegen::generate_dir(&spec) {
                Ok(files) => match wechat_oa_codegen::write_if_changed(&out, &files) {
                    Ok(changed) => {
                        println!("{} file(s) changed", changed.len());
                        ExitCode::SUCCESS
                    }
                    Err(e) => {
                        eprintln!("cannot write {}: {e}", out.display());
                        ExitCode::FAILURE
                    }
                },
                Err(d) => {
                    eprintln!("{d}");
                    ExitCode::FAILURE
                }
            }
        }
        "schema" => {
            let write = |name: &str, text: String| std::fs::write(spec.join(name), text);
            match write("schema.json", wechat_oa_codegen::schema::area_schema())
                .and_then(|_| write("errors.schema.json", wechat_oa_codegen::schema::errors_schema()))
            {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("cannot write the schema: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        other => {
            eprintln!("unknown command `{other}` (expected check, generate or schema)");
            ExitCode::FAILURE
        }
    }
}
