//! Text glued together where a page lost a line break or a space: a lower-case word or a
//! question mark running straight into a capital (`…50 years onIn The Spotlight`, `Jane
//! DawsonView More Articles`). Teaser lists and bylines cut there.

/// The first place where a lower-case word (of three letters or more, or two in a word with no
/// capital) or a question mark runs straight into a capital letter.
pub fn glued_at(text: &str) -> Option<usize> {
    if text.is_ascii() {
        // Bytes are characters here; reading them skips the decoding.
        glued_in(text.bytes().enumerate().map(|(i, b)| (i, char::from(b))))
    } else {
        glued_in(text.char_indices())
    }
}

/// [`glued_at`] over the characters with their byte offsets.
fn glued_in(chars: impl Iterator<Item = (usize, char)>) -> Option<usize> {
    let mut prev: Option<char> = None;
    let mut lower_run = 0usize;
    let mut word_has_upper = false;
    for (i, c) in chars {
        if let Some(p) = prev {
            let after_word =
                p.is_lowercase() && (lower_run >= 3 || (lower_run >= 2 && !word_has_upper));
            let after_mark = matches!(p, '?' | '!' | '’' | '\'' | '"' | '”');
            if c.is_uppercase() && (after_word || after_mark) {
                return Some(i);
            }
        }
        if c.is_whitespace() {
            lower_run = 0;
            word_has_upper = false;
        } else if c.is_lowercase() {
            lower_run += 1;
        } else if c.is_uppercase() {
            word_has_upper = true;
            lower_run = 0;
        }
        prev = Some(c);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lower_case_word_running_into_a_capital_is_glued() {
        assert_eq!(glued_at("Jane DawsonView More Articles"), Some(11));
        assert_eq!(glued_at("Is it over?Yes"), Some(11));
        assert_eq!(glued_at("Fans queue for the new iPhone"), None);
        assert_eq!(glued_at("McDonald opens a branch"), None);
        assert_eq!(glued_at("Café ouvertÀ midi"), Some("Café ouvert".len()));
    }
}
