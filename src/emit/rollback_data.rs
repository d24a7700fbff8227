//! The release's rollback data: what each place undoes after a failed quality gate, read by the
//! library's `rollback-place`. One JSON object per line after the `#` header, so plan text is only
//! ever a JSON string (decoded by `jq`, then base64 on its way into a variable), never code.

use serde_json::{Map, Value as Json, json};

use super::comment::comment_text;
use crate::release::PlaceRollback;

/// The data file's text: the header as `#` comment lines, then a line per rollback step of each place,
/// in order.
pub fn rollback_data_file(header: &[String], places: &[PlaceRollback]) -> String {
    let mut text = String::new();
    for line in header {
        text.push_str("# ");
        text.push_str(&comment_text(line));
        text.push('\n');
    }
    text.push_str(
        "# What each place undoes after a failed quality gate, newest deployment first.\n",
    );
    for place in places {
        for step in &place.steps {
            let env: Map<String, Json> = step
                .env
                .iter()
                .map(|(name, value)| (name.clone(), Json::String(value.clone())))
                .collect();
            let line = json!({
                "place": place.place,
                "title": step.title,
                "command": step.command.name(),
                "env": env,
            });
            text.push_str(&line.to_string());
            text.push('\n');
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::release::{LibraryCommand, RollbackStep};

    #[test]
    fn every_line_after_the_header_is_one_json_object_holding_the_text_verbatim() {
        let hostile = "a\"b\\c\n$(rm -rf /)`x` ${{ secrets.X }}";
        let text = rollback_data_file(
            &["Generated".to_owned()],
            &[PlaceRollback {
                place: "production/eastus".to_owned(),
                steps: vec![RollbackStep {
                    title: hostile.to_owned(),
                    command: LibraryCommand::AppServiceRollback,
                    env: vec![("APP".to_owned(), hostile.to_owned())],
                }],
            }],
        );
        let lines: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
        assert_eq!(lines.len(), 1);
        let entry: Json = serde_json::from_str(lines[0]).expect("one JSON object");
        assert_eq!(entry["env"]["APP"], hostile);
        assert_eq!(entry["title"], hostile);
        assert_eq!(entry["command"], "app-service-rollback");
        assert_eq!(entry["place"], "production/eastus");
    }
}
