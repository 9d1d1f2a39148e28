//! The `--cache` option's parser: a backend name, checked with its environment variables at start-up. It
//! lives with the command line (the cache itself knows nothing of clap).

use crate::cache::{Backend, CacheSettings};

/// `--cache` (and `ITCH_CACHE`) go through this parser: choosing a backend also checks its environment
/// variables, so `--cache redis` with `REDIS_PORT=abc` stops at start, before any request, with a message
/// naming the variable. (Connecting is left for the first use: a server that is down costs a warning, not the
/// sync.) `Backend` deliberately does not implement `clap::ValueEnum`: clap's `value_parser!` would prefer
/// that to this factory.
impl clap::builder::ValueParserFactory for Backend {
    type Parser = BackendParser;
    fn value_parser() -> BackendParser {
        BackendParser
    }
}

/// The parser of `--cache`: the backend's name, then its settings from the environment.
#[derive(Clone, Copy, Debug)]
pub struct BackendParser;

impl BackendParser {
    fn names() -> clap::builder::PossibleValuesParser {
        clap::builder::PossibleValuesParser::new(
            Backend::ALL.map(|b| clap::builder::PossibleValue::new(b.name()).help(b.help())),
        )
    }
}

impl clap::builder::TypedValueParser for BackendParser {
    type Value = Backend;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<Backend, clap::Error> {
        let name = BackendParser::names().parse_ref(cmd, arg, value)?;
        let backend: Backend = name.parse().expect("a possible value");
        CacheSettings::from_env(backend).map_err(|problem| {
            let flag = arg.and_then(clap::Arg::get_long).unwrap_or("cache");
            clap::Error::raw(
                clap::error::ErrorKind::ValueValidation,
                format!("--{flag} {backend}: {problem}\n"),
            )
            .with_cmd(cmd)
        })?;
        Ok(backend)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(
            Backend::ALL
                .map(|b| clap::builder::PossibleValue::new(b.name()).help(b.help()))
                .into_iter(),
        ))
    }
}
