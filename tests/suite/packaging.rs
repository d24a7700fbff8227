//! What the packages install around the binary: `--version`, `--help` examples that parse, shell
//! completions and manual pages generated from the CLI definition, and desktop files (`dist/`) and
//! icons (`assets/icon/`) that agree with each other, with Cargo.toml and with the binary.
//!
//! The packages themselves are built, installed and validated by `.ci/package-check`.

use std::path::{Path, PathBuf};

use cutover::storage::{PLAN_FILE_ENDING, load_plan};

use crate::common::cutover;

/// The desktop id every desktop file, the metainfo and the icons are named by.
const DESKTOP_ID: &str = "dev.cutover.Cutover";

fn repo_file(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

/// The text between the first `open` and the `close` after it.
fn between<'a>(text: &'a str, open: &str, close: &str) -> &'a str {
    let start = text
        .find(open)
        .unwrap_or_else(|| panic!("no {open} in the text"))
        + open.len();
    let len = text[start..]
        .find(close)
        .unwrap_or_else(|| panic!("no {close} after {open}"));
    &text[start..start + len]
}

/// The value of `key=` in a desktop entry.
fn desktop_key<'a>(entry: &'a str, key: &str) -> &'a str {
    entry
        .lines()
        .find_map(|line| line.strip_prefix(key)?.strip_prefix('='))
        .unwrap_or_else(|| panic!("the desktop entry has no {key}"))
}

#[test]
fn version_and_help_examples_are_real_command_lines() {
    let version = cutover(["--version"]);
    assert_eq!(version.code, Some(0));
    assert_eq!(
        version.stdout,
        format!("cutover {}\n", env!("CARGO_PKG_VERSION"))
    );

    let help = cutover(["--help"]);
    assert_eq!(help.code, Some(0));
    let examples: Vec<&str> = help
        .stdout
        .split_once("Examples:")
        .expect("--help ends with examples")
        .1
        .lines()
        .map(str::trim)
        .filter(|line| line.starts_with("cutover "))
        .collect();
    assert!(examples.len() >= 6, "{examples:?}");
    for example in examples {
        // A shell redirection is not part of the command line.
        let words = example
            .split('>')
            .next()
            .unwrap_or_default()
            .split_whitespace();
        let parsed = cutover::cli::docs::command().try_get_matches_from(words);
        assert!(parsed.is_ok(), "`{example}` does not parse: {parsed:?}");
    }
}

/// The commands that have a manual page, as the binary lists them.
fn command_names() -> Vec<String> {
    let list = cutover(["man", "--list"]);
    assert_eq!(list.code, Some(0), "{}", list.stderr);
    list.stdout.lines().map(str::to_owned).collect()
}

#[test]
fn every_command_has_a_manual_page_naming_each_of_its_options() {
    let definition = cutover::cli::docs::command();
    let expected: Vec<&str> = definition
        .get_subcommands()
        .map(clap::Command::get_name)
        .filter(|name| *name != "help")
        .collect();
    let names = command_names();
    assert_eq!(names, expected);

    let main = cutover(["man"]);
    assert_eq!(main.code, Some(0));
    assert!(main.stdout.contains(".TH cutover 1"), "{}", main.stdout);
    assert!(main.stdout.contains(".SH EXAMPLES"));
    for name in &names {
        assert!(
            main.stdout.contains(&format!("cutover\\-{name}(1)")),
            "{name}"
        );
        let page = cutover(["man", name.as_str()]);
        assert_eq!(page.code, Some(0), "{}", page.stderr);
        assert!(
            page.stdout.contains(&format!(".TH cutover-{name} 1")),
            "{}",
            page.stdout
        );
        let command = definition
            .find_subcommand(name)
            .expect("listed commands exist");
        for long in command.get_arguments().filter_map(clap::Arg::get_long) {
            let roff = format!("\\-\\-{}", long.replace('-', "\\-"));
            assert!(
                page.stdout.contains(&roff),
                "cutover-{name}(1) lacks --{long}"
            );
        }
    }

    let unknown = cutover(["man", "deploy"]);
    assert_eq!(unknown.code, Some(2));
    assert!(
        unknown
            .stderr
            .contains("its commands are check, order, export")
    );
}

#[test]
fn completions_cover_every_command_and_the_bash_one_is_valid_bash() {
    let names = command_names();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = cutover(["completions", shell]);
        assert_eq!(script.code, Some(0), "{shell}: {}", script.stderr);
        for name in &names {
            assert!(
                script.stdout.contains(name.as_str()),
                "{shell} lacks {name}"
            );
        }
        assert!(script.stdout.contains("all-single-faults"), "{shell}");
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("cutover.bash");
    std::fs::write(&file, cutover(["completions", "bash"]).stdout).expect("written");
    let syntax = std::process::Command::new("bash")
        .arg("-n")
        .arg(&file)
        .output()
        .expect("bash runs");
    assert!(
        syntax.status.success(),
        "{}",
        String::from_utf8_lossy(&syntax.stderr)
    );
}

#[test]
fn desktop_entry_metainfo_and_file_type_name_one_another() {
    let desktop = repo_file(&format!("dist/{DESKTOP_ID}.desktop"));
    let metainfo = repo_file(&format!("dist/{DESKTOP_ID}.metainfo.xml"));
    let mime = repo_file(&format!("dist/{DESKTOP_ID}.mime.xml"));

    assert_eq!(desktop_key(&desktop, "Icon"), DESKTOP_ID);
    assert_eq!(desktop_key(&desktop, "StartupWMClass"), DESKTOP_ID);
    assert_eq!(desktop_key(&desktop, "Exec"), "cutover %f");
    #[cfg(feature = "gui")]
    assert_eq!(cutover::app::APP_ID, DESKTOP_ID);

    assert_eq!(between(&metainfo, "<id>", "</id>"), DESKTOP_ID);
    assert_eq!(
        between(
            &metainfo,
            "<launchable type=\"desktop-id\">",
            "</launchable>"
        ),
        format!("{DESKTOP_ID}.desktop")
    );
    assert_eq!(
        between(&metainfo, "<release version=\"", "\""),
        env!("CARGO_PKG_VERSION"),
        "the newest release in the metainfo is the crate's version"
    );
    assert_eq!(between(&metainfo, "<binary>", "</binary>"), "cutover");

    let mime_type = between(&mime, "<mime-type type=\"", "\"");
    assert_eq!(desktop_key(&desktop, "MimeType"), format!("{mime_type};"));
    assert_eq!(between(&metainfo, "<mediatype>", "</mediatype>"), mime_type);
    assert_eq!(
        between(&mime, "<glob pattern=\"", "\""),
        format!("*{PLAN_FILE_ENDING}")
    );

    // The screenshot the metainfo shows is the README's, at its real size.
    let image = between(&metainfo, "<image type=\"source\"", "</image>");
    let (size, url) = image.split_once('>').expect("an image element");
    assert!(url.ends_with("/assets/screenshot.png"), "{url}");
    let (width, height) = png_size(&repo_path("assets/screenshot.png"));
    assert!(
        size.contains(&format!("width=\"{width}\" height=\"{height}\"")),
        "{size}"
    );
}

fn repo_path(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// A PNG's width and height, from its header.
fn png_size(path: &Path) -> (u32, u32) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(
        &bytes[..8],
        b"\x89PNG\r\n\x1a\n",
        "{} is a PNG",
        path.display()
    );
    assert_eq!(&bytes[12..16], b"IHDR");
    let number = |at: usize| {
        u32::from_be_bytes(
            bytes[at..at + 4]
                .try_into()
                .expect("a PNG header has four bytes here"),
        )
    };
    (number(16), number(20))
}

#[test]
fn every_icon_size_is_rendered_at_its_size_and_packaged_into_hicolor() {
    let manifest: toml::Table = repo_file("Cargo.toml").parse().expect("Cargo.toml is TOML");
    let assets = manifest["package"]["metadata"]["deb"]["assets"]
        .as_array()
        .expect("the package lists its files");
    let installed = |source: &str| -> Option<String> {
        assets.iter().find_map(|asset| {
            let asset = asset.as_array()?;
            (asset.first()?.as_str()? == source)
                .then(|| asset.get(1)?.as_str().map(str::to_owned))?
        })
    };

    let mut sizes = Vec::new();
    for entry in std::fs::read_dir(repo_path("assets/icon")).expect("assets/icon") {
        let name = entry.expect("a directory entry").file_name();
        let name = name.to_string_lossy();
        let Some(size) = name
            .strip_prefix("cutover-")
            .and_then(|rest| rest.strip_suffix(".png"))
        else {
            continue;
        };
        let size: u32 = size.parse().expect("icons are named by their size");
        let source = format!("assets/icon/{name}");
        assert_eq!(png_size(&repo_path(&source)), (size, size), "{name}");
        assert_eq!(
            installed(&source).as_deref(),
            Some(format!("usr/share/icons/hicolor/{size}x{size}/apps/{DESKTOP_ID}.png").as_str()),
            "{name} is packaged at its size"
        );
        sizes.push(size);
    }
    sizes.sort_unstable();
    assert_eq!(sizes, [16, 24, 32, 48, 64, 128, 256, 512]);
    assert_eq!(
        installed("assets/icon/cutover.svg").as_deref(),
        Some(format!("usr/share/icons/hicolor/scalable/apps/{DESKTOP_ID}.svg").as_str())
    );
}

#[test]
fn a_new_plan_takes_its_name_from_the_file_without_the_plan_ending() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join(format!("claims{PLAN_FILE_ENDING}"));
    let run = cutover([
        "new".as_ref(),
        "--template".as_ref(),
        "meridian".as_ref(),
        file.as_os_str(),
    ]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(load_plan(&file).expect("the new plan loads").name, "claims");
}
