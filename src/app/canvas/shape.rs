//! How a service is drawn on the canvas (a box coloured by tier, with its name, tier, wave and a
//! problem marker), and the egui_graphs layout that leaves positions alone.

use egui::{Align2, Color32, FontId, Pos2, Rect, Shape, Stroke, StrokeKind, Vec2};
use egui_graphs::{DisplayEdge, DisplayNode, DrawContext, Graph, NodeProps};
use petgraph::Directed;
use petgraph::stable_graph::{DefaultIx, IndexType};

use super::super::style;
use crate::analysis::Severity;
use crate::plan::{Id, Tier};

/// A service box's size in canvas units.
pub(super) const NODE_SIZE: Vec2 = Vec2::new(176.0, 56.0);

/// What a node shows about its service.
#[derive(Debug, Clone)]
pub struct NodeData {
    /// The service's plan index.
    pub index: usize,
    /// The service's id.
    pub id: Id,
    /// The service's name.
    pub name: String,
    /// Its tier.
    pub tier: Tier,
    /// The wave it first deploys in (from the analysis), if it has an order.
    pub wave: Option<usize>,
    /// The most serious problem about it.
    pub problem: Option<Severity>,
}

/// The box drawn for a service.
#[derive(Debug, Clone)]
pub struct ServiceShape {
    centre: Pos2,
    selected: bool,
    dragged: bool,
    hovered: bool,
    data: NodeData,
}

impl From<NodeProps<NodeData>> for ServiceShape {
    fn from(props: NodeProps<NodeData>) -> Self {
        Self {
            centre: props.location(),
            selected: props.selected,
            dragged: props.dragged,
            hovered: props.hovered,
            data: props.payload,
        }
    }
}

impl DisplayNode<NodeData, (), Directed, DefaultIx> for ServiceShape {
    fn closest_boundary_point(&self, dir: Vec2) -> Pos2 {
        let half = NODE_SIZE / 2.0;
        if dir.x == 0.0 && dir.y == 0.0 {
            return self.centre;
        }
        let scale_x = if dir.x == 0.0 {
            f32::INFINITY
        } else {
            half.x / dir.x.abs()
        };
        let scale_y = if dir.y == 0.0 {
            f32::INFINITY
        } else {
            half.y / dir.y.abs()
        };
        self.centre + dir * scale_x.min(scale_y)
    }

    fn shapes(&mut self, ctx: &DrawContext) -> Vec<Shape> {
        let zoom = ctx.meta.zoom;
        let centre = ctx.meta.canvas_to_screen_pos(self.centre);
        let rect = Rect::from_center_size(centre, NODE_SIZE * zoom);
        let visuals = ctx.ctx.global_style().visuals.clone();
        let dark = visuals.dark_mode;
        let radius = 8.0 * zoom;
        let stroke = if self.selected {
            Stroke::new(3.0, visuals.selection.stroke.color)
        } else if self.hovered || self.dragged {
            Stroke::new(2.0, visuals.strong_text_color())
        } else {
            Stroke::new(1.5, style::tier_accent(self.data.tier))
        };
        let mut shapes = vec![
            Shape::rect_filled(rect, radius, style::tier_colour(self.data.tier, dark)),
            Shape::rect_stroke(rect, radius, stroke, StrokeKind::Outside),
        ];
        // Below this size text is unreadable and only costs time on big plans.
        if zoom >= 0.3 {
            let text = if dark {
                Color32::from_gray(235)
            } else {
                Color32::from_gray(20)
            };
            let wave = self
                .data
                .wave
                .map_or_else(|| "no wave".to_owned(), |w| format!("wave {}", w + 1));
            let detail = format!("{} · {wave}", self.data.tier.label());
            ctx.ctx.fonts_mut(|fonts| {
                // A long name is cut short inside its box ("…"); the canvas shows it whole on hover.
                let mut job = egui::text::LayoutJob::simple_singleline(
                    self.data.name.clone(),
                    FontId::proportional(15.0 * zoom),
                    text,
                );
                job.wrap = egui::text::TextWrapping::truncate_at_width(rect.width() - 14.0 * zoom);
                let name = fonts.layout_job(job);
                let at = rect.center() - Vec2::new(0.0, 9.0 * zoom) - name.size() / 2.0;
                shapes.push(Shape::galley(at, name, text));
                shapes.push(Shape::text(
                    fonts,
                    rect.center() + Vec2::new(0.0, 12.0 * zoom),
                    Align2::CENTER_CENTER,
                    detail,
                    FontId::proportional(11.5 * zoom),
                    text.gamma_multiply(0.8),
                ));
            });
        }
        if let Some(severity) = self.data.problem {
            let marker = rect.right_top() + Vec2::new(-2.0, 2.0) * zoom;
            shapes.push(Shape::circle_filled(
                marker,
                9.0 * zoom,
                style::severity_colour(severity),
            ));
            if zoom >= 0.3 {
                ctx.ctx.fonts_mut(|fonts| {
                    shapes.push(Shape::text(
                        fonts,
                        marker,
                        Align2::CENTER_CENTER,
                        "!",
                        FontId::proportional(13.0 * zoom),
                        Color32::WHITE,
                    ));
                });
            }
        }
        shapes
    }

    fn update(&mut self, props: &NodeProps<NodeData>) {
        self.centre = props.location();
        self.selected = props.selected;
        self.dragged = props.dragged;
        self.hovered = props.hovered;
        self.data.clone_from(&props.payload);
    }

    fn is_inside(&self, pos: Pos2) -> bool {
        Rect::from_center_size(self.centre, NODE_SIZE).contains(pos)
    }
}

/// The egui_graphs layout that never moves a node: positions come from the plan.
#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
pub struct FixedState;

impl egui_graphs::LayoutState for FixedState {}

/// See [`FixedState`].
#[derive(Debug, Default)]
pub struct FixedLayout;

impl egui_graphs::Layout<FixedState> for FixedLayout {
    fn from_state(_state: FixedState) -> impl egui_graphs::Layout<FixedState> {
        FixedLayout
    }

    fn next<N, E, Ty, Ix, Dn, De>(
        &mut self,
        _graph: &mut Graph<N, E, Ty, Ix, Dn, De>,
        _ui: &egui::Ui,
    ) where
        N: Clone,
        E: Clone,
        Ty: petgraph::EdgeType,
        Ix: IndexType,
        Dn: DisplayNode<N, E, Ty, Ix>,
        De: DisplayEdge<N, E, Ty, Ix, Dn>,
    {
    }

    fn state(&self) -> FixedState {
        FixedState
    }
}
