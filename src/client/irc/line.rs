//! One IRC line split into its parts (IRCv3 tags, the prefix's nick, command, params) and the tag values
//! unescaped: the little of IRC that itch reads, without an IRC crate.

/// One IRC line, split: the tags, the prefix's nick, the command and its params (the trailing one last).
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Line<'a> {
    pub tags: Tags<'a>,
    pub nick: &'a str,
    pub command: &'a str,
    pub params: Vec<&'a str>,
}

/// A line's IRCv3 tags, split once into `(key, raw value)` pairs in the line's order (a line is read for a
/// dozen of them; splitting the text again for each was a tenth of a busy recording's time).
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Tags<'a>(Vec<(&'a str, &'a str)>);

impl<'a> Tags<'a> {
    /// `key=value;key=value` (a key without `=` has an empty value).
    pub fn parse(raw: &'a str) -> Tags<'a> {
        Tags(
            raw.split(';')
                .filter(|pair| !pair.is_empty())
                .map(|pair| pair.split_once('=').unwrap_or((pair, "")))
                .collect(),
        )
    }

    /// The keys, in the line's order.
    pub fn keys(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.0.iter().map(|(key, _)| *key)
    }

    fn raw(&self, key: &str) -> Option<&'a str> {
        self.0.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
    }
}

pub(super) fn parse_line(line: &str) -> Option<Line<'_>> {
    let mut rest = line.trim_end_matches(['\r', '\n']);
    let (mut tags, mut nick) = ("", "");
    if let Some(tagged) = rest.strip_prefix('@') {
        (tags, rest) = tagged.split_once(' ')?;
    }
    if let Some(prefixed) = rest.strip_prefix(':') {
        let prefix;
        (prefix, rest) = prefixed.split_once(' ')?;
        nick = prefix.split(['!', '@']).next().unwrap_or_default();
    }
    let (head, trailing) = match rest.split_once(" :") {
        Some((head, trailing)) => (head, Some(trailing)),
        None => (rest, None),
    };
    let mut words = head.split(' ').filter(|w| !w.is_empty());
    let command = words.next()?;
    let mut params: Vec<&str> = words.collect();
    params.extend(trailing);
    Some(Line {
        tags: Tags::parse(tags),
        nick,
        command,
        params,
    })
}

/// The value of tag `key`, unescaped (IRCv3: `\s` space, `\:` semicolon, `\\` backslash, `\r`, `\n`); `None`
/// when absent or empty.
pub(super) fn tag(tags: &Tags<'_>, key: &str) -> Option<String> {
    let raw = tags.raw(key)?;
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('s') => out.push(' '),
            Some(':') => out.push(';'),
            Some('r') => out.push('\r'),
            Some('n') => out.push('\n'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_split_into_command_and_params() {
        assert_eq!(
            parse_line(":justinfan1.tmi.twitch.tv 353 justinfan1 = #rig :alice bob\r\n"),
            Some(Line {
                tags: Tags::default(),
                nick: "justinfan1.tmi.twitch.tv",
                command: "353",
                params: vec!["justinfan1", "=", "#rig", "alice bob"]
            })
        );
        assert_eq!(
            parse_line("@badge-info=;color=#FF0000 :tmi.twitch.tv NOTICE * :Login unsuccessful"),
            Some(Line {
                tags: Tags::parse("badge-info=;color=#FF0000"),
                nick: "tmi.twitch.tv",
                command: "NOTICE",
                params: vec!["*", "Login unsuccessful"]
            })
        );
        assert_eq!(
            parse_line("PING :tmi.twitch.tv"),
            Some(Line {
                tags: Tags::default(),
                nick: "",
                command: "PING",
                params: vec!["tmi.twitch.tv"]
            })
        );
        assert_eq!(parse_line(""), None);
    }
}
