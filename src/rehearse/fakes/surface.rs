//! The command surface the fake CLIs accept, read from `assets/cli-surface.txt`: for each tool its
//! commands, each command's flags (with or without a value) and positional arguments. A command
//! line outside it is refused with a clear error, so a misspelled flag fails the rehearsal.

use std::collections::BTreeMap;

/// The surface file, compiled in.
pub const SURFACE_FILE: &str = include_str!("../../../assets/cli-surface.txt");

/// Whether a flag takes a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Arity {
    /// No value.
    None,
    /// One value.
    One,
    /// One or more values (up to the next flag).
    Many,
}

/// One command of a tool.
#[derive(Debug, Clone, Default)]
struct Command {
    /// The flags, from every line of the command.
    flags: BTreeMap<String, Arity>,
    /// The positional patterns of its lines: (count, whether the last is variadic).
    positionals: Vec<(usize, bool)>,
}

/// Every tool's commands, by command path (`webapp deploy`).
#[derive(Debug, Clone, Default)]
pub struct Surface {
    tools: BTreeMap<String, BTreeMap<Vec<String>, Command>>,
}

/// A command line that fits the surface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// The command words (`["webapp", "deploy"]`).
    pub path: Vec<String>,
    /// The flags in order, with their values.
    pub flags: Vec<(String, Vec<String>)>,
    /// The positional arguments.
    pub positionals: Vec<String>,
}

impl Parsed {
    /// The (last) value of a flag, trying each spelling given.
    pub fn value(&self, names: &[&str]) -> Option<&str> {
        self.flags
            .iter()
            .rev()
            .find(|(f, _)| names.contains(&f.as_str()))
            .and_then(|(_, v)| v.first())
            .map(String::as_str)
    }

    /// Every value of a flag (all occurrences, all values).
    pub fn values(&self, names: &[&str]) -> Vec<&str> {
        self.flags
            .iter()
            .filter(|(f, _)| names.contains(&f.as_str()))
            .flat_map(|(_, v)| v.iter().map(String::as_str))
            .collect()
    }

    /// Whether a flag is given.
    pub fn has(&self, names: &[&str]) -> bool {
        self.flags.iter().any(|(f, _)| names.contains(&f.as_str()))
    }

    /// The command as words (`webapp deploy`).
    pub fn command(&self) -> String {
        self.path.join(" ")
    }
}

fn is_placeholder(word: &str) -> bool {
    let word = word.strip_prefix('+').unwrap_or(word);
    let word = word.strip_suffix("...").unwrap_or(word);
    word.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && word
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_' || c == '=')
}

fn is_flag(word: &str) -> bool {
    word.len() > 1 && word.starts_with('-') && !word[1..].starts_with(|c: char| c.is_ascii_digit())
}

impl Surface {
    /// Parses a surface file.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut surface = Surface::default();
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let words: Vec<&str> = line.split_whitespace().collect();
            let (tool, rest) = words.split_first().ok_or("empty line")?;
            let mut path = Vec::new();
            let mut flags = Vec::new();
            let mut positionals = 0;
            let mut variadic = false;
            let mut i = 0;
            while i < rest.len() {
                let word = rest[i];
                if is_flag(word) {
                    let arity = match rest.get(i + 1) {
                        Some(next) if is_placeholder(next) => {
                            i += 1;
                            if next.ends_with("...") {
                                Arity::Many
                            } else {
                                Arity::One
                            }
                        }
                        _ => Arity::None,
                    };
                    flags.push((word.to_owned(), arity));
                } else if is_placeholder(word) {
                    positionals += 1;
                    variadic = word.ends_with("...");
                } else if positionals == 0 {
                    path.push(word.to_owned());
                } else {
                    return Err(format!(
                        "line {}: `{word}` after a positional argument",
                        number + 1
                    ));
                }
                i += 1;
            }
            let command = surface
                .tools
                .entry((*tool).to_owned())
                .or_default()
                .entry(path)
                .or_default();
            for (flag, arity) in flags {
                if let Some(old) = command.flags.insert(flag.clone(), arity)
                    && old != arity
                {
                    return Err(format!(
                        "line {}: `{flag}` takes a value on one line and not on another",
                        number + 1
                    ));
                }
            }
            command.positionals.push((positionals, variadic));
        }
        Ok(surface)
    }

    /// The surface of `assets/cli-surface.txt`.
    pub fn builtin() -> Self {
        Self::parse(SURFACE_FILE).unwrap_or_default()
    }

    /// The tools it describes.
    pub fn tools(&self) -> impl Iterator<Item = &str> {
        self.tools.keys().map(String::as_str)
    }

    /// Matches `args` of `tool` against the surface; the error is what the tool prints.
    pub fn parse_args(&self, tool: &str, args: &[String]) -> Result<Parsed, String> {
        let commands = self
            .tools
            .get(tool)
            .ok_or_else(|| format!("{tool}: not a simulated tool"))?;
        let union: BTreeMap<&str, Arity> = commands
            .values()
            .flat_map(|c| c.flags.iter().map(|(f, a)| (f.as_str(), *a)))
            .collect();
        // First the command words, skipping flags (and their values) wherever they stand.
        let mut path: Vec<String> = Vec::new();
        let mut i = 0;
        while i < args.len() {
            let arg = &args[i];
            if is_flag(arg) {
                let name = arg.split('=').next().unwrap_or(arg);
                i += if !arg.contains('=') && union.get(name).is_some_and(|a| *a != Arity::None) {
                    2
                } else {
                    1
                };
                continue;
            }
            let mut longer = path.clone();
            longer.push(arg.clone());
            if commands.keys().any(|p| p.starts_with(&longer)) {
                path = longer;
                i += 1;
            } else {
                break;
            }
        }
        let Some(command) = commands.get(&path) else {
            let next: Vec<&str> = commands
                .keys()
                .filter(|p| p.starts_with(&path) && p.len() > path.len())
                .map(|p| p[path.len()].as_str())
                .collect();
            let shown = format!("{tool} {}", path.join(" ")).trim_end().to_owned();
            return Err(match args.get(i).filter(|a| !is_flag(a)) {
                Some(word) => format!(
                    "{shown}: `{word}` is not a command the rehearsal knows (expected one of: {})",
                    dedup(next)
                ),
                None => format!(
                    "{shown}: is a command group, not a command (expected one of: {})",
                    dedup(next)
                ),
            });
        };
        self.flags_and_positionals(tool, &path, command, args)
    }

    fn flags_and_positionals(
        &self,
        tool: &str,
        path: &[String],
        command: &Command,
        args: &[String],
    ) -> Result<Parsed, String> {
        let shown = format!("{tool} {}", path.join(" "));
        let mut parsed = Parsed {
            path: path.to_vec(),
            flags: Vec::new(),
            positionals: Vec::new(),
        };
        let mut words = path.iter().peekable();
        let mut i = 0;
        while i < args.len() {
            let arg = &args[i];
            i += 1;
            if !is_flag(arg) {
                if words.peek() == Some(&arg) && parsed.positionals.is_empty() {
                    words.next();
                } else {
                    parsed.positionals.push(arg.clone());
                }
                continue;
            }
            let (name, inline) = match arg.split_once('=') {
                Some((n, v)) if n.starts_with("--") => (n.to_owned(), Some(v.to_owned())),
                _ => (arg.clone(), None),
            };
            let arity = match command.flags.get(&name) {
                Some(a) => *a,
                None => match short_bundle(&command.flags, &name) {
                    Some(flags) => {
                        parsed
                            .flags
                            .extend(flags.into_iter().map(|f| (f, Vec::new())));
                        continue;
                    }
                    None => {
                        return Err(format!(
                            "{shown}: unknown flag {name}{}",
                            suggest(&name, command.flags.keys())
                        ));
                    }
                },
            };
            let mut values = Vec::new();
            match (arity, inline) {
                (Arity::None, Some(_)) => return Err(format!("{shown}: {name} takes no value")),
                (Arity::None, None) => {}
                (_, Some(v)) => values.push(v),
                (Arity::One, None) => {
                    let v = args
                        .get(i)
                        .ok_or_else(|| format!("{shown}: {name} needs a value"))?;
                    values.push(v.clone());
                    i += 1;
                }
                (Arity::Many, None) => {
                    while i < args.len() && !is_flag(&args[i]) {
                        values.push(args[i].clone());
                        i += 1;
                    }
                    if values.is_empty() {
                        return Err(format!("{shown}: {name} needs a value"));
                    }
                }
            }
            parsed.flags.push((name, values));
        }
        let count = parsed.positionals.len();
        if !command
            .positionals
            .iter()
            .any(|(n, variadic)| count == *n || (*variadic && count >= *n))
        {
            return Err(format!(
                "{shown}: {count} argument(s) given, which no form of the command takes"
            ));
        }
        Ok(parsed)
    }
}

/// `-fsS` as the short boolean flags it bundles, when every one exists.
fn short_bundle(flags: &BTreeMap<String, Arity>, word: &str) -> Option<Vec<String>> {
    if word.starts_with("--") || word.len() < 3 {
        return None;
    }
    word[1..]
        .chars()
        .map(|c| {
            let flag = format!("-{c}");
            (flags.get(&flag) == Some(&Arity::None)).then_some(flag)
        })
        .collect()
}

fn dedup(mut words: Vec<&str>) -> String {
    words.sort_unstable();
    words.dedup();
    words.join(", ")
}

fn suggest<'a>(name: &str, known: impl Iterator<Item = &'a String>) -> String {
    let best = known
        .map(|k| (distance(name, k), k))
        .filter(|(d, _)| *d <= 2)
        .min();
    best.map_or_else(String::new, |(_, k)| format!(" (did you mean {k}?)"))
}

/// Levenshtein distance, for "did you mean".
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = (previous + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(current + 1);
            previous = current;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn the_builtin_surface_parses() {
        let surface = Surface::parse(SURFACE_FILE).unwrap();
        assert!(surface.tools().any(|t| t == "az"));
    }

    #[test]
    fn commands_of_the_exports_fit() {
        let s = Surface::builtin();
        let p = s.parse_args("az", &args("webapp deploy --resource-group rg --name app --slot staging --src-path a.zip --type zip")).unwrap();
        assert_eq!(p.command(), "webapp deploy");
        assert_eq!(p.value(&["--slot"]), Some("staging"));
        let p = s
            .parse_args(
                "kubectl",
                &args("--namespace ns rollout status deployment api --timeout 300s"),
            )
            .unwrap();
        assert_eq!(p.command(), "rollout status deployment");
        assert_eq!(p.positionals, vec!["api"]);
        let p = s.parse_args("curl", &args("--silent --output /dev/null --write-out %{http_code} --max-time 10 https://x/health")).unwrap();
        assert_eq!(p.positionals, vec!["https://x/health"]);
        let p = s.parse_args("az", &args("webapp config appsettings set --resource-group rg --name a --settings A=1 B=2 --output none")).unwrap();
        assert_eq!(p.values(&["--settings"]), vec!["A=1", "B=2"]);
        assert!(s.parse_args("curl", &args("-fsS https://x")).is_ok());
        assert!(
            s.parse_args(
                "gh",
                &args("api repos/o/r/environments/e --method PUT --input -")
            )
            .is_ok()
        );
        assert!(s.parse_args("git", &args("cherry-pick -x a b c")).is_ok());
    }

    #[test]
    fn anything_else_is_refused_clearly() {
        let s = Surface::builtin();
        let e = s
            .parse_args("az", &args("webapp deploy --slott x"))
            .unwrap_err();
        assert!(
            e.contains("unknown flag --slott (did you mean --slot?)"),
            "{e}"
        );
        let e = s.parse_args("az", &args("webap deploy")).unwrap_err();
        assert!(e.contains("`webap` is not a command"), "{e}");
        let e = s.parse_args("az", &args("webapp")).unwrap_err();
        assert!(e.contains("command group"), "{e}");
        let e = s
            .parse_args("kubectl", &args("--namespace ns rollout status deployment"))
            .unwrap_err();
        assert!(e.contains("argument"), "{e}");
        assert!(s.parse_args("az", &args("webapp deploy --slot")).is_err());
        assert!(
            s.parse_args("az", &args("webapp deploy --only-show-errors=yes"))
                .is_err()
        );
    }
}
