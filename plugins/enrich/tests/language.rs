//! The function-word shortcut of language detection agrees with `whatlang` wherever it
//! answers, on the article-extraction benchmark's reference bodies (`shared/` beside the
//! checkout).

use std::path::Path;

use docnorm_enrich::language::{Texts, by_function_words, resolve};

#[test]
fn the_function_word_shortcut_agrees_with_whatlang_on_the_benchmark() {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/bench/article-extraction");
    let truth = std::fs::read_to_string(dir.join("ground-truth.json"))
        .expect("shared/bench/article-extraction beside the checkout");
    let truth: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&truth).expect("ground-truth.json is a JSON object");
    let mut answered = 0;
    for (id, page) in &truth {
        let body = page["articleBody"].as_str().unwrap_or_default();
        let Some(quick) = by_function_words(body) else {
            continue;
        };
        answered += 1;
        let slow = whatlang::detect(body).filter(whatlang::Info::is_reliable);
        if let Some(slow) = slow {
            let full = resolve(
                Texts {
                    body,
                    ..Texts::default()
                },
                None,
            );
            assert_eq!(full.code.as_deref(), Some(quick), "{id}");
            let expected = match slow.lang() {
                whatlang::Lang::Eng => "en",
                whatlang::Lang::Deu => "de",
                whatlang::Lang::Fra => "fr",
                whatlang::Lang::Spa => "es",
                whatlang::Lang::Ita => "it",
                whatlang::Lang::Por => "pt",
                whatlang::Lang::Nld => "nl",
                other => panic!("{id}: shortcut says {quick}, whatlang {other:?}"),
            };
            assert_eq!(quick, expected, "{id}");
        }
    }
    assert!(
        answered * 10 >= truth.len() * 8,
        "the shortcut answered only {answered}"
    );
}
