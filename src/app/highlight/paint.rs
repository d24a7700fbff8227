//! Painting a line with its tokens: the colours of each kind for the light and dark themes, and the
//! egui [`LayoutJob`].

use std::ops::Range;

use egui::text::{LayoutJob, TextFormat};
use egui::{Color32, FontId};

use super::{Token, TokenKind};

/// The colours of the token kinds for one theme.
#[derive(Debug, Clone)]
pub struct Palette {
    /// Plain text.
    pub text: Color32,
    /// Comments.
    pub comment: Color32,
    /// Keys and keywords.
    pub key: Color32,
    /// Strings.
    pub string: Color32,
    /// Expressions.
    pub expression: Color32,
    /// Literals.
    pub literal: Color32,
    /// Punctuation.
    pub punctuation: Color32,
    /// Headings.
    pub heading: Color32,
    /// Code.
    pub code: Color32,
    /// Strong emphasis.
    pub strong: Color32,
    /// Behind a match of the find field.
    pub found: Color32,
}

impl Palette {
    /// The palette for egui's current visuals (light or dark).
    pub fn for_visuals(visuals: &egui::Visuals) -> Self {
        let rgb = Color32::from_rgb;
        if visuals.dark_mode {
            Self {
                text: visuals.text_color(),
                comment: rgb(120, 150, 115),
                key: rgb(110, 170, 230),
                string: rgb(214, 160, 125),
                expression: rgb(205, 140, 215),
                literal: rgb(170, 205, 150),
                punctuation: visuals.weak_text_color(),
                heading: rgb(110, 170, 230),
                code: rgb(214, 160, 125),
                strong: visuals.strong_text_color(),
                found: rgb(110, 90, 20),
            }
        } else {
            Self {
                text: visuals.text_color(),
                comment: rgb(95, 125, 90),
                key: rgb(20, 85, 170),
                string: rgb(160, 60, 30),
                expression: rgb(145, 40, 155),
                literal: rgb(20, 125, 80),
                punctuation: visuals.weak_text_color(),
                heading: rgb(20, 85, 170),
                code: rgb(160, 60, 30),
                strong: visuals.strong_text_color(),
                found: rgb(255, 225, 120),
            }
        }
    }

    /// The colour of a token kind.
    pub fn colour(&self, kind: Option<TokenKind>) -> Color32 {
        match kind {
            None => self.text,
            Some(TokenKind::Comment) => self.comment,
            Some(TokenKind::Key) => self.key,
            Some(TokenKind::String) => self.string,
            Some(TokenKind::Expression) => self.expression,
            Some(TokenKind::Literal) => self.literal,
            Some(TokenKind::Punctuation) => self.punctuation,
            Some(TokenKind::Heading) => self.heading,
            Some(TokenKind::Code) => self.code,
            Some(TokenKind::Strong) => self.strong,
        }
    }
}

/// A line painted with its tokens; `found` is given a background (a match of the find field).
pub fn layout_line(
    line: &str,
    tokens: &[Token],
    palette: &Palette,
    font: &FontId,
    found: Option<Range<usize>>,
) -> LayoutJob {
    // Plain gaps between the tokens, then every piece cut at the edges of `found`.
    let mut pieces: Vec<(Range<usize>, Option<TokenKind>)> = Vec::new();
    let mut at = 0;
    for token in tokens {
        let start = token.range.start.clamp(at, line.len());
        let end = token.range.end.clamp(start, line.len());
        if start > at {
            pieces.push((at..start, None));
        }
        if end > start {
            pieces.push((start..end, Some(token.kind)));
        }
        at = end;
    }
    if at < line.len() {
        pieces.push((at..line.len(), None));
    }
    let cuts: Vec<usize> = found
        .iter()
        .flat_map(|r| [r.start, r.end])
        .filter(|c| line.is_char_boundary(*c))
        .collect();
    let mut job = LayoutJob::default();
    for (range, kind) in pieces {
        let mut edges = vec![range.start];
        edges.extend(
            cuts.iter()
                .copied()
                .filter(|c| range.contains(c) && *c > range.start),
        );
        edges.push(range.end);
        for pair in edges.windows(2) {
            let (start, end) = (pair[0], pair[1]);
            if start >= end {
                continue;
            }
            let inside = found
                .as_ref()
                .is_some_and(|f| f.start <= start && end <= f.end);
            let format = TextFormat {
                font_id: font.clone(),
                color: palette.colour(kind),
                background: if inside {
                    palette.found
                } else {
                    Color32::TRANSPARENT
                },
                italics: kind == Some(TokenKind::Comment),
                ..TextFormat::default()
            };
            job.append(&line[start..end], 0.0, format);
        }
    }
    job
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::highlight::{Language, LineState, tokenize_line};

    #[test]
    fn a_laid_out_line_keeps_its_text_and_colours_its_tokens() {
        let palette = Palette::for_visuals(&egui::Visuals::dark());
        let line = "name: 'x' # c";
        let (tokens, _) = tokenize_line(Language::Yaml, LineState::Normal, line);
        let job = layout_line(
            line,
            &tokens,
            &palette,
            &FontId::monospace(12.0),
            Some(6..9),
        );
        assert_eq!(job.text, line);
        let colour_at = |byte: usize| {
            job.sections
                .iter()
                .find(|s| s.byte_range.start.0 <= byte && byte < s.byte_range.end.0)
                .map(|s| (s.format.color, s.format.background))
        };
        assert_eq!(colour_at(0).map(|c| c.0), Some(palette.key));
        assert_eq!(colour_at(7), Some((palette.string, palette.found)));
        assert_eq!(colour_at(11).map(|c| c.0), Some(palette.comment));
    }
}
