//! HTML parsing for the built-in plugins, bounded by the depth of the tree it builds.
//!
//! The HTML tree builder checks the scope of most tags by walking its stack of open elements,
//! and whatever walks the tree afterwards (content scoring, text extraction) slows down with
//! depth too, quadratically for markup that nests without end. How deep markup nests cannot
//! be told from its tags alone: the parser ignores a stray `</div>`, keeps an unclosed
//! `<section>` open, reopens formatting elements and moves nodes about. So the depth is
//! measured on the tree as the parser builds it: the markup is fed to the parser a few
//! kilobytes at a time, each node it attaches is given its parent's depth plus one, and once a
//! node lies deeper than the limit the markup is cut there, at the end of that piece. The
//! parser's work per piece is then bounded by the limit plus one piece's worth of tags, so
//! markup costs time linear in its size.
//!
//! The same loop stops once the plugin call's [`deadline`] has passed; the caller checks it.
//!
//! The `html` plugin parses whole pages with [`document`], the `frontmatter` plugin the HTML
//! in front-matter and JSON values with [`fragment`]: built-in plugins share this crate
//! rather than each keep a copy (they depend on no other plugin).
//!
//! ```
//! let deep = "<section> x </div>".repeat(10_000);
//! let parsed = docnorm_markup::document(&deep, 100);
//! assert!(parsed.cut && parsed.html.len() < deep.len());
//! let flat = docnorm_markup::fragment("<p>One</p><p>Two</p>", 100);
//! assert!(!flat.cut);
//! assert_eq!(flat.dom.root().text().to_string(), "OneTwo");
//! ```

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use docnorm_plugin_api::deadline;
use dom_query::{Document as Dom, NodeId};
use html5ever::interface::{ElementFlags, NodeOrText, QuirksMode, TreeSink};
use html5ever::tendril::{StrTendril, TendrilSink};
use html5ever::tokenizer::TokenizerOpts;
use html5ever::tree_builder::TreeBuilderOpts;
use html5ever::{Attribute, ParseOpts, Parser, QualName, local_name, ns};

/// How much of the markup the parser gets at a time: a piece of `<b>` tags nests about 1,400
/// levels at most past the limit before the cut.
const PIECE_BYTES: usize = 4096;

/// Markup parsed up to its depth limit.
pub struct Parsed<'a> {
    /// The tree.
    pub dom: Dom,
    /// The part of the markup that was parsed: all of it unless `cut`.
    pub html: &'a str,
    /// Whether the markup was cut because its tree nests deeper than the limit.
    pub cut: bool,
}

/// Parses the page `html` as `dom_query::Document::from` does, stopping after the piece in
/// which the tree grows deeper than `max_depth`, or in which the plugin call's deadline passes.
pub fn document(html: &str, max_depth: usize) -> Parsed<'_> {
    let parser = html5ever::parse_document(Depths::new(Dom::default()), options(false));
    feed(parser, html, max_depth)
}

/// Parses the fragment `html` as `dom_query::Document::fragment` does (in the context of a
/// `<body>`), with the same bounds as [`document`].
pub fn fragment(html: &str, max_depth: usize) -> Parsed<'_> {
    let parser = html5ever::parse_fragment(
        Depths::new(Dom::fragment_sink()),
        options(true),
        QualName::new(None, ns!(html), local_name!("body")),
        Vec::new(),
        false,
    );
    feed(parser, html, max_depth)
}

fn options(drop_doctype: bool) -> ParseOpts {
    ParseOpts {
        tokenizer: TokenizerOpts::default(),
        tree_builder: TreeBuilderOpts {
            scripting_enabled: false,
            drop_doctype,
            ..TreeBuilderOpts::default()
        },
    }
}

/// Feeds `html` to `parser` piece by piece while the tree stays within `max_depth`.
fn feed(mut parser: Parser<Depths>, html: &str, max_depth: usize) -> Parsed<'_> {
    let mut at = 0;
    let mut cut = false;
    while at < html.len() {
        let mut end = (at + PIECE_BYTES).min(html.len());
        while !html.is_char_boundary(end) {
            end += 1;
        }
        parser.process(StrTendril::from_slice(&html[at..end]));
        at = end;
        if parser.tokenizer.sink.sink.deepest.get() > max_depth {
            cut = at < html.len();
            break;
        }
        if deadline::expired() {
            break;
        }
    }
    Parsed {
        dom: parser.finish(),
        html: &html[..at],
        cut,
    }
}

/// A `dom_query` document that notes the depth of every element attached to it.
struct Depths {
    dom: Dom,
    /// Depth of each element attached so far (the document node is at depth 0).
    depth: RefCell<HashMap<NodeId, u32, BuildHasherDefault<IdHasher>>>,
    /// The deepest depth seen.
    deepest: Cell<usize>,
}

impl Depths {
    fn new(dom: Dom) -> Self {
        Self {
            dom,
            depth: RefCell::default(),
            deepest: Cell::new(0),
        }
    }

    fn depth_of(&self, node: NodeId) -> u32 {
        self.depth.borrow().get(&node).copied().unwrap_or(0)
    }

    fn place(&self, child: &NodeOrText<NodeId>, depth: u32) {
        if let NodeOrText::AppendNode(node) = child {
            self.depth.borrow_mut().insert(*node, depth);
            self.deepest.set(self.deepest.get().max(depth as usize));
        }
    }
}

impl TreeSink for Depths {
    type Handle = NodeId;
    type Output = Dom;
    type ElemName<'a> = <Dom as TreeSink>::ElemName<'a>;

    fn finish(self) -> Dom {
        self.dom.finish()
    }

    fn parse_error(&self, msg: Cow<'static, str>) {
        self.dom.parse_error(msg);
    }

    fn get_document(&self) -> NodeId {
        self.dom.get_document()
    }

    fn elem_name<'a>(&'a self, target: &'a NodeId) -> Self::ElemName<'a> {
        self.dom.elem_name(target)
    }

    fn create_element(&self, name: QualName, attrs: Vec<Attribute>, flags: ElementFlags) -> NodeId {
        self.dom.create_element(name, attrs, flags)
    }

    fn create_comment(&self, text: StrTendril) -> NodeId {
        self.dom.create_comment(text)
    }

    fn create_pi(&self, target: StrTendril, data: StrTendril) -> NodeId {
        self.dom.create_pi(target, data)
    }

    fn append(&self, parent: &NodeId, child: NodeOrText<NodeId>) {
        self.place(&child, self.depth_of(*parent) + 1);
        self.dom.append(parent, child);
    }

    fn append_based_on_parent_node(
        &self,
        element: &NodeId,
        prev_element: &NodeId,
        child: NodeOrText<NodeId>,
    ) {
        // Beside `element` or under `prev_element`: the deeper of the two.
        let depth = self
            .depth_of(*element)
            .max(self.depth_of(*prev_element) + 1);
        self.place(&child, depth);
        self.dom
            .append_based_on_parent_node(element, prev_element, child);
    }

    fn append_doctype_to_document(
        &self,
        name: StrTendril,
        public_id: StrTendril,
        system_id: StrTendril,
    ) {
        self.dom
            .append_doctype_to_document(name, public_id, system_id);
    }

    fn mark_script_already_started(&self, node: &NodeId) {
        self.dom.mark_script_already_started(node);
    }

    fn pop(&self, node: &NodeId) {
        self.dom.pop(node);
    }

    fn get_template_contents(&self, target: &NodeId) -> NodeId {
        // The contents hang outside the tree but nest inside the template all the same.
        let contents = self.dom.get_template_contents(target);
        let depth = self.depth_of(*target);
        self.depth.borrow_mut().insert(contents, depth);
        contents
    }

    fn same_node(&self, x: &NodeId, y: &NodeId) -> bool {
        self.dom.same_node(x, y)
    }

    fn set_quirks_mode(&self, mode: QuirksMode) {
        self.dom.set_quirks_mode(mode);
    }

    fn append_before_sibling(&self, sibling: &NodeId, new_node: NodeOrText<NodeId>) {
        self.place(&new_node, self.depth_of(*sibling));
        self.dom.append_before_sibling(sibling, new_node);
    }

    fn add_attrs_if_missing(&self, target: &NodeId, attrs: Vec<Attribute>) {
        self.dom.add_attrs_if_missing(target, attrs);
    }

    fn associate_with_form(
        &self,
        target: &NodeId,
        form: &NodeId,
        nodes: (&NodeId, Option<&NodeId>),
    ) {
        self.dom.associate_with_form(target, form, nodes);
    }

    fn remove_from_parent(&self, target: &NodeId) {
        self.dom.remove_from_parent(target);
    }

    fn reparent_children(&self, node: &NodeId, new_parent: &NodeId) {
        self.dom.reparent_children(node, new_parent);
    }

    fn is_mathml_annotation_xml_integration_point(&self, handle: &NodeId) -> bool {
        self.dom.is_mathml_annotation_xml_integration_point(handle)
    }

    fn set_current_line(&self, line_number: u64) {
        self.dom.set_current_line(line_number);
    }

    fn allow_declarative_shadow_roots(&self, intended_parent: &NodeId) -> bool {
        self.dom.allow_declarative_shadow_roots(intended_parent)
    }

    fn attach_declarative_shadow(
        &self,
        location: &NodeId,
        template: &NodeId,
        attrs: &[Attribute],
    ) -> bool {
        self.dom
            .attach_declarative_shadow(location, template, attrs)
    }

    fn maybe_clone_an_option_into_selectedcontent(&self, option: &NodeId) {
        self.dom.maybe_clone_an_option_into_selectedcontent(option);
    }
}

/// Hashing for node ids, which the parser hands out in sequence (nothing a page chooses):
/// one multiplication.
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }

    fn write_u32(&mut self, i: u32) {
        self.0 = (self.0 ^ u64::from(i)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depth(dom: &Dom) -> usize {
        dom.root()
            .descendants_it()
            .map(|node| node.ancestors_it(None).count())
            .max()
            .unwrap_or(0)
    }

    /// Misnested and unclosed tags, a table with stray text, a template, and enough filler
    /// to take several pieces.
    fn sloppy() -> String {
        format!(
            "<!doctype html><title>T</title><p>one<b>two<div>three</b></div>{}\
             <table>stray<tr><td>x</table><template><i>t</template><p>é{}",
            "<p>filler paragraph &amp; more</p>".repeat(400),
            "<span>deep ".repeat(50)
        )
    }

    #[test]
    fn the_tree_is_the_one_dom_query_builds() {
        let html = sloppy();
        let parsed = document(&html, 100);
        assert!(!parsed.cut);
        assert_eq!(parsed.html, html);
        assert_eq!(parsed.dom.html(), Dom::from(html.as_str()).html());
        let parsed = fragment(&html, 100);
        assert!(!parsed.cut);
        assert_eq!(parsed.dom.html(), Dom::fragment(html.as_str()).html());
    }

    #[test]
    fn stray_close_tags_do_not_hide_the_nesting() {
        let html = "<section> x </div>".repeat(5000);
        let parsed = document(&html, 100);
        assert!(parsed.cut);
        assert!(parsed.html.len() < html.len() / 2, "{}", parsed.html.len());
        assert!(
            depth(&parsed.dom) < 100 + PIECE_BYTES / 4,
            "{}",
            depth(&parsed.dom)
        );
    }

    #[test]
    fn nesting_through_templates_counts() {
        let html = "<template><div>".repeat(5000);
        assert!(document(&html, 100).cut);
        assert!(fragment(&html, 100).cut);
    }
}
