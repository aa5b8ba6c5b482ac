//! Tests of the whole analysis, one page copy each, through [`analyze`] and its result.

use super::*;
use crate::fate::Reason;

fn fate_of(a: &Analysis<'_>, needle: &str) -> Fate {
    a.lines()
        .find(|l| l.text.contains(needle))
        .map_or_else(|| panic!("no line with {needle}"), |l| l.fate)
}

const ARTICLE: &str = "Home\nNews\nSport\n\
        Council votes to close the old bridge\n\
        The decision follows years of complaints about traffic\n\n\
        By Jane Doe\n\
        March 7, 2024\n\n\
        The city council voted on Tuesday to close the old bridge for repairs, ending a debate that has lasted for most of the decade.\n\
        Engineers said the structure was no longer safe for heavy vehicles and that the work would take at least two years.\n\
        Subscribe to our newsletter\n\
        Get the latest news delivered to your inbox every morning.\n\
        Residents who live near the bridge said they were relieved, although some shop owners fear a drop in trade.\n\
        What happens next\n\
        The council will publish a plan for detours in the coming weeks, and a public meeting is planned for April.\n\
        © 2024 Example Media. All rights reserved.\n";

#[test]
fn headline_byline_date_and_body() {
    let a = analyze(ARTICLE);
    assert_eq!(
        a.title.as_deref(),
        Some("Council votes to close the old bridge")
    );
    assert_eq!(
        a.subtitle.as_deref(),
        Some("The decision follows years of complaints about traffic")
    );
    assert_eq!(a.authors.len(), 1);
    assert_eq!(a.authors[0].name, "Jane Doe");
    assert_eq!(a.published.as_deref(), Some("2024-03-07"));
    assert!(a.body.starts_with("The city council voted"));
    assert!(
        a.body.contains("What happens next"),
        "subheading kept: {}",
        a.body
    );
    assert!(a.body.ends_with("planned for April."));
}

#[test]
fn names_under_a_lone_by_and_a_name_with_its_outlet_beside_a_date() {
    let body = "The city council voted on Tuesday to close the old bridge for repairs, ending a debate that has lasted for most of the decade.\n\
            Engineers said the structure was no longer safe for heavy vehicles and that the work would take at least two years.\n\
            Residents who live near the bridge said they were relieved, although some shop owners fear a drop in trade.\n";
    let lone = format!(
        "News\n\nCouncil votes to close the old bridge\n\nBy\nAl Baker\nUpdated March 7, 2024\nOrder Reprints\n\n{body}"
    );
    let a = analyze(&lone);
    assert_eq!(a.authors.len(), 1, "{:?}", a.authors);
    assert_eq!(a.authors[0].name, "Al Baker");
    let outlet = format!(
        "News\n\nCouncil votes to close the old bridge\n\n* Jane Doe, Example Daily\n* 07.03.2024, 08:30\n\n{body}"
    );
    let a = analyze(&outlet);
    assert_eq!(a.authors.len(), 1, "{:?}", a.authors);
    assert_eq!(a.authors[0].name, "Jane Doe");
}

#[test]
fn a_wire_dateline_or_a_credit_over_the_date_names_the_agency() {
    let body = "The city council voted on Tuesday to close the old bridge for repairs, ending a debate that has lasted for most of the decade.\n\
            Engineers said the structure was no longer safe for heavy vehicles and that the work would take at least two years.\n";
    let wire = format!(
        "News\n\nCouncil votes to close the old bridge\n\nMarch 7, 2024\n\nSPRINGFIELD (Wirepress) - {body}"
    );
    let a = analyze(&wire);
    assert_eq!(a.authors.len(), 1, "{:?}", a.authors);
    assert_eq!(a.authors[0].name, "Wirepress");
    assert!(
        a.body.starts_with("SPRINGFIELD (Wirepress) - The city"),
        "the dateline stays in the body"
    );
    let credit = format!(
        "News\n\nCouncil votes to close the old bridge\n\nWirepress, Springfield,\nMar 7 2024, 11:06am\n\n{body}"
    );
    let a = analyze(&credit);
    assert_eq!(a.authors.len(), 1, "{:?}", a.authors);
    assert_eq!(a.authors[0].name, "Wirepress");
    // A time without a zone is kept without an offset.
    assert_eq!(a.published.as_deref(), Some("2024-03-07T11:06:00"));
}

#[test]
fn chrome_and_promotions_are_removed_with_reasons() {
    let a = analyze(ARTICLE);
    assert_eq!(fate_of(&a, "Home"), Fate::Removed(Reason::OutsideArticle));
    assert_eq!(
        fate_of(&a, "Subscribe to our"),
        Fate::Removed(Reason::Chrome)
    );
    assert_eq!(
        fate_of(&a, "Get the latest"),
        Fate::Removed(Reason::Promotion)
    );
    assert_eq!(fate_of(&a, "© 2024"), Fate::Removed(Reason::Copyright));
    assert!(!a.body.contains("newsletter"));
}

#[test]
fn repeated_lines_are_chrome() {
    let text = "A headline about the harbour\n\n\
            The harbour reopened on Monday after a week of storms kept every boat in port.\n\
            Share this story with a friend\n\
            Fishermen said the catch was good and prices at the market fell by a third.\n\
            Share this story with a friend\n\
            The harbour master expects traffic to return to normal by the end of the month.\n";
    let a = analyze(text);
    assert_eq!(fate_of(&a, "Share this"), Fate::Removed(Reason::Repeated));
    assert_eq!(a.body.matches("\n\n").count(), 2);
}

#[test]
fn a_sentence_starting_with_by_gives_no_author() {
    let text = "Flood waters rise along the river\n\n\
            By Thursday afternoon, the river had risen two metres above its usual level and the town square was under water.\n\
            Volunteers filled sandbags through the night while the fire service pumped water out of cellars.\n\
            Officials said the worst should be over by the weekend if the rain eases as forecast.\n";
    let a = analyze(text);
    assert!(a.authors.is_empty(), "{:?}", a.authors);
    assert!(a.body.starts_with("By Thursday afternoon"));
    assert_eq!(
        a.title.as_deref(),
        Some("Flood waters rise along the river")
    );
}

#[test]
fn bio_gives_author_and_publisher() {
    let text = "Markets calm after the rate decision\n\n\
            Stock markets were steady on Wednesday after the central bank left interest rates unchanged for a third month.\n\
            Analysts had expected the decision and said attention would now turn to inflation figures due next week.\n\
            Traders said volumes were thin ahead of the holiday weekend, with many desks already half empty.\n\
            Jane Doe has worked as a staff writer at The Example Post since 2019, covering markets.\n";
    let a = analyze(text);
    assert_eq!(a.authors.len(), 1);
    assert_eq!(a.authors[0].name, "Jane Doe");
    assert!(
        a.authors[0]
            .bio
            .as_deref()
            .is_some_and(|b| b.contains("staff writer"))
    );
    assert_eq!(a.publisher.as_deref(), Some("The Example Post"));
    assert!(!a.body.contains("staff writer"));
}

#[test]
fn title_running_into_the_body() {
    let text = "Inside the new library\n\
            The new city library opened its doors on Saturday, and thousands of visitors queued to see the building.\n\
            Its reading rooms hold more than a million books, and the roof garden is open to everyone.\n\
            The architects said they wanted a building that felt like a public square.\n";
    let a = analyze(text);
    assert_eq!(a.title.as_deref(), Some("Inside the new library"));
    assert!(a.body.starts_with("The new city library"));
    assert_eq!(a.subtitle, None);
}

#[test]
fn teasers_after_the_article_become_related() {
    let text = "Rain returns to the valley\n\n\
            After three dry months, rain finally returned to the valley on Sunday, to the relief of farmers.\n\
            The reservoirs are still low, but forecasters expect more showers in the coming days.\n\
            Farmers said the rain came just in time to save the late harvest in the lower fields.\n\
            -\n\
            Town hall gets a new clock tower\n\
            By Ann Lee, Example Times\n\
            -\n\
            School choir wins national prize\n\
            By Bo Chan, Example Times\n";
    let a = analyze(text);
    assert_eq!(a.related.len(), 2);
    assert_eq!(a.related[0].title, "Town hall gets a new clock tower");
    assert!(a.authors.is_empty());
    assert_eq!(fate_of(&a, "By Bo Chan"), Fate::Related);
}

#[test]
fn dates_in_teasers_or_copyright_lines_are_not_publication_dates() {
    let text = "Rain returns to the valley\n\n\
            After three dry months, rain finally returned to the valley on Sunday, to the relief of farmers.\n\
            The reservoirs are still low, but forecasters expect more showers in the coming days.\n\
            -\n\
            Crossword: April 14, 2025\n\
            By Ann Lee, Example Times\n\
            -\n\
            School choir wins national prize\n\
            By Bo Chan, Example Times\n\
            © March 3, 2025 Example Media\n";
    let a = analyze(text);
    assert_eq!(a.published, None);
}

#[test]
fn german_and_french_header_dates() {
    let text = "Stadtrat beschließt neue Radwege\n\
            12.01.2024, 08:30 Uhr\n\n\
            Der Stadtrat hat am Dienstag beschlossen, dass in der Innenstadt neue Radwege gebaut werden sollen.\n\
            Die Arbeiten sollen im Frühjahr beginnen und bis zum Ende des Jahres abgeschlossen sein.\n";
    let a = analyze(text);
    assert_eq!(a.published.as_deref(), Some("2024-01-12T08:30:00"));
    let text = "Le conseil adopte le budget\n\
            Publié le 4 février 2025\n\n\
            Le conseil municipal a adopté mardi soir le budget de la ville pour l'année prochaine.\n\
            Les élus de l'opposition ont voté contre et dénoncent une hausse des impôts locaux.\n";
    let a = analyze(text);
    assert_eq!(a.published.as_deref(), Some("2025-02-04"));
    assert_eq!(fate_of(&a, "Publié"), Fate::Date);
}

#[test]
fn no_date_stated_gives_none() {
    let a = analyze(
        "A quiet week in the garden\n\n\
             The roses are blooming early this year, and the tomatoes have never looked better than they do now.\n\
             Even the old apple tree has more fruit than it had for many seasons in a row.\n",
    );
    assert_eq!(a.published, None);
    assert_eq!(a.updated, None);
}
#[test]
fn byline_and_date_on_one_line() {
    let text = "Menu\nSearch\n\nPort strike ends after two weeks\n\
            By Jane Doe Updated Nov. 19, 2019 8:03 am ET\n\n\
            Dock workers returned to the port on Monday after a two-week strike that left hundreds of ships waiting offshore.\n\
            The union said the new contract raises wages by six percent over three years and limits night shifts.\n";
    let a = analyze(text);
    assert_eq!(a.authors.len(), 1);
    assert_eq!(a.authors[0].name, "Jane Doe");
    assert_eq!(a.updated.as_deref(), Some("2019-11-19T13:03:00Z"));
    assert_eq!(a.published, None, "only an update time is stated");
}

#[test]
fn updated_and_original_dates_are_told_apart() {
    let text = "Port strike ends after two weeks\n\
            Updated Nov. 19, 2019 8:21 am ET / Original Nov. 18, 2019 8:02 am ET\n\n\
            Dock workers returned to the port on Monday after a two-week strike that left hundreds of ships waiting offshore.\n\
            The union said the new contract raises wages by six percent over three years and limits night shifts.\n";
    let a = analyze(text);
    assert_eq!(a.published.as_deref(), Some("2019-11-18T13:02:00Z"));
    assert_eq!(a.updated.as_deref(), Some("2019-11-19T13:21:00Z"));
}

#[test]
fn headline_is_not_a_caption_or_a_link_list() {
    let text = "Port strike ends after two weeks\n\
            By Jane Doe\n\n\
            Union leader Ann Lee (left) and port director Bo Chan sign the deal\n\
            More on this\n\
            Ships queue outside the harbour for a second week\n\
            Exporters count the cost of the long dispute\n\
            What the new contract means for night shifts\n\n\
            Dock workers returned to the port on Monday after a two-week strike that left hundreds of ships waiting offshore.\n\
            The union said the new contract raises wages by six percent over three years and limits night shifts.\n";
    let a = analyze(text);
    assert_eq!(a.title.as_deref(), Some("Port strike ends after two weeks"));
    assert_eq!(
        fate_of(&a, "(left)"),
        Fate::Removed(Reason::Credit),
        "a caption naming who stands where"
    );
}

const PORT_BODY: &str = "Dock workers returned to the port on Monday after a two-week strike that left hundreds of ships waiting offshore.\n\
        The union said the new contract raises wages by six percent over three years and limits night shifts.\n\
        Exporters said it would take a month to clear the backlog of containers stuck on the quays.\n";

#[test]
fn breadcrumb_and_numbered_crumb_are_not_the_headline() {
    let text = format!(
        "1. Home >\n2. Business >\n3. Port strike ends after two weeks\n\n\
             Port strike ends after two weeks\n\nMarch 7, 2024\n\n{PORT_BODY}"
    );
    let a = analyze(&text);
    assert_eq!(a.title.as_deref(), Some("Port strike ends after two weeks"));
    assert_eq!(a.subtitle, None);
    let text = format!(
        "Home ›\nBusiness ›\nPort strike ends after two weeks\nMarch 7, 2024\n\n{PORT_BODY}"
    );
    let a = analyze(&text);
    assert_eq!(a.title.as_deref(), Some("Port strike ends after two weeks"));
}

#[test]
fn headline_of_several_sentences_over_a_time_stamp() {
    let text = format!(
        "Weather: Set your location\nEnter City and State or Zip Code\n\n\
             Port strike over. Ships return. The union won.\n\n\
             Posted Nov 18, 8:19 PM\n\n{PORT_BODY}"
    );
    let a = analyze(&text);
    assert_eq!(
        a.title.as_deref(),
        Some("Port strike over. Ships return. The union won.")
    );
}

#[test]
fn headline_inside_the_run_over_its_byline() {
    // The run opens with a quoted claim and its attribution; the headline and byline follow.
    let text = format!(
        "\"Ten ships a day are leaving the port without their cargo, and nobody is counting them.\"\n\n\
             — Ann Lee on Sunday, October 13th, 2019 in a speech to the harbour board\n\n\
             How many ships leave the port without cargo?\n\n\
             By Jane Doe on Monday, November 18th, 2019\n\n{PORT_BODY}"
    );
    let a = analyze(&text);
    assert_eq!(
        a.title.as_deref(),
        Some("How many ships leave the port without cargo?")
    );
    assert_eq!(a.authors.len(), 1);
    assert_eq!(a.authors[0].name, "Jane Doe");
}

#[test]
fn an_embedded_posts_attribution_is_not_a_date_line() {
    let text = format!(
        "Port strike ends after two weeks\nMarch 7, 2024\n\n{PORT_BODY}\
             Finally the ships are moving again after all this time\n\n\
             — Bo Chan (@bochan) March 7, 2024\n\n{PORT_BODY}"
    );
    let a = analyze(&text);
    assert_eq!(a.title.as_deref(), Some("Port strike ends after two weeks"));
}

#[test]
fn name_line_under_the_headline_or_beside_a_date_is_the_author() {
    let text = format!("Port strike ends after two weeks\n\nJane Doe\n\n5 Min Read\n\n{PORT_BODY}");
    let a = analyze(&text);
    assert_eq!(a.authors.len(), 1, "{:?}", a.authors);
    assert_eq!(a.authors[0].name, "Jane Doe");
    let text = format!(
        "Port strike ends after two weeks\n\nThe union won a six percent raise over three years\n\n\
             JANE DOE\n\nNov. 20, 2019 1:35 a.m.\n\n{PORT_BODY}"
    );
    let a = analyze(&text);
    assert_eq!(a.authors.len(), 1, "{:?}", a.authors);
    assert_eq!(a.authors[0].name, "Jane Doe");
    let text =
        format!("Port strike ends after two weeks\n\nJane Doe Senior Contributor\n\n{PORT_BODY}");
    assert_eq!(analyze(&text).authors[0].name, "Jane Doe");
}

#[test]
fn labels_and_lists_of_names_are_not_authors() {
    // A navigation label under the headline, and captions naming people.
    let text = format!(
        "Port strike ends after two weeks\n\nPrevious Post\nNext Post\n\n\
             Ann Lee Harbour Master\n\nBo Chan Union Leader\n\nMarch 7, 2024\n\n{PORT_BODY}"
    );
    let a = analyze(&text);
    assert!(a.authors.is_empty(), "{:?}", a.authors);
    // A lone "By" with the name under it; buttons after the date are not names.
    let text = format!(
        "Port strike ends after two weeks\n\nBy\n\nJane Doe\nMarch 7, 2024\nOrder Reprints\n\n{PORT_BODY}"
    );
    let a = analyze(&text);
    let names: Vec<&str> = a.authors.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["Jane Doe"]);
}

#[test]
fn date_in_the_meta_line_under_the_headline() {
    let text = format!(
        "Port strike ends after two weeks\n\n\
             Jane Doe 27/09/2018 Comment! Harbour, Unions, Shipping News\n\n{PORT_BODY}"
    );
    assert_eq!(analyze(&text).published.as_deref(), Some("2018-09-27"));
    let text = format!(
        "Port strike ends after two weeks\n\n\
             October 12, 2018/0 Comments/in Harbour News /by admin\n\n{PORT_BODY}"
    );
    assert_eq!(analyze(&text).published.as_deref(), Some("2018-10-12"));
    // A date inside the first paragraph is not the article's date.
    let text = format!(
        "Port strike ends after two weeks\n\n\
             The strike that began on October 12, 2018 ended on Monday, and the ships are leaving the port again.\n{PORT_BODY}"
    );
    assert_eq!(analyze(&text).published, None);
}

#[test]
fn date_line_with_an_update_glued_to_it() {
    let text = format!(
        "Port strike ends after two weeks\n\n\
             Nov. 20, 2019Updated: Nov. 21, 2019 1:35 a.m.\n\n{PORT_BODY}"
    );
    let a = analyze(&text);
    assert_eq!(a.published.as_deref(), Some("2019-11-20"));
    assert_eq!(a.updated.as_deref(), Some("2019-11-21T01:35:00"));
}

#[test]
fn headline_with_a_dotted_date_and_a_byline_with_a_glued_button() {
    let text = format!(
        "Markets\n\nPort Report 11.18.19\n\n\
             Port strike ends and the ships leave after two weeks of waiting\n\n\
             Jane DawsonView More Articles\n\n{PORT_BODY}"
    );
    let a = analyze(&text);
    assert_eq!(a.title.as_deref(), Some("Port Report 11.18.19"));
    assert_eq!(a.authors.len(), 1, "{:?}", a.authors);
    assert_eq!(a.authors[0].name, "Jane Dawson");
    // A line of scores is still no headline.
    let text = format!("Results\n\n12 - 3 14 - 2 Finals\n\n{PORT_BODY}");
    assert_eq!(analyze(&text).title, None);
}

#[test]
fn comment_section_is_cut_off() {
    let text = "Port strike ends after two weeks\n\n\
            Dock workers returned to the port on Monday after a two-week strike that left hundreds of ships waiting offshore.\n\
            The union said the new contract raises wages by six percent over three years and limits night shifts.\n\
            Exporters said it would take a month to clear the backlog of containers stuck on the quays.\n\
            12 Comments\n\
            I think the union was right to hold out for a better deal, and the port should have settled much sooner.\n\
            Posted on November 20, 2019 by a reader who works at the port and saw the queue of ships every day.\n";
    let a = analyze(text);
    assert!(a.body.ends_with("stuck on the quays."), "{}", a.body);
    assert_eq!(a.published, None, "a comment's date is not the article's");
}

#[test]
fn teaser_summaries_between_headlines_stay_out_of_the_body() {
    let mut text = String::from(
        "Port strike ends after two weeks\n\n\
            Dock workers returned to the port on Monday after a two-week strike that left hundreds of ships waiting offshore.\n\
            The union said the new contract raises wages by six percent over three years and limits night shifts.\n\
            Exporters said it would take a month to clear the backlog of containers stuck on the quays.\n\
            Menu\nMore stories\nOpinion\nSport\n",
    );
    for i in 0..6 {
        text.push_str("Other story number ");
        text.push_str(&i.to_string());
        text.push_str(" in the list\nAnn Lee\n");
        text.push_str(
            "A summary sentence for the other story, which is long enough to look like a \
                 paragraph of prose.\n",
        );
    }
    let a = analyze(&text);
    assert!(a.body.ends_with("stuck on the quays."), "{}", a.body);
}

/// Issue 20: a short line repeated between lines that occur once is a label of repeated
/// records and stays with them; a menu repeated in header and footer still goes.
#[test]
fn issue_20_repeated_labels_between_unique_lines_stay() {
    for (copy, label, menu) in [
        (
            include_str!("../../tests/fixtures/labels-en.txt"),
            "Instructor:",
            "Home | Courses | Contact",
        ),
        (
            include_str!("../../tests/fixtures/labels-de.txt"),
            "Leitung:",
            "Startseite | Kurse | Kontakt",
        ),
    ] {
        let a = analyze(copy);
        assert!(
            a.lines()
                .filter(|l| l.text == label)
                .all(|l| l.fate != Fate::Removed(Reason::Repeated)),
            "{label}"
        );
        assert_eq!(fate_of(&a, menu), Fate::Removed(Reason::Repeated), "{menu}");
    }
}
