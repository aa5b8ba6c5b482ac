//! People and publishers named in page text: bylines (`By X and Y`, `BY X`, `Author: X`,
//! `Von X`, `Par X`, `Por X`), lines holding only a name, and bio sentences ("X has worked as a
//! staff writer at P", "X is the news editor of P") with the publisher they name.
//!
//! A name is two to five capitalized words (initials and particles such as `van`, `de` allowed)
//! that are neither function words, calendar words nor job titles, so a sentence that merely
//! starts with "By" ("By Thursday afternoon, …") never yields an author ([`person`]).
//!
//! Where no person is named, a byline word may credit a desk, an agency or a single name
//! ([`credited`]: "By Staff Reports", "By Reuters", "by Regan"), a user name when a date
//! follows ("By admin - 2018-09-16"), a wire dateline its agency ([`wire_credit`]:
//! "WASHINGTON (AP) — …") and a line running into the date its credit ([`credit_with_place`]:
//! "Reuters, Washington,"); an author may therefore be an organisation, as the page says.
//!
//! The modules depend one way: [`byline`] on [`credit`] and [`person`], [`credit`] and
//! [`bio`] on [`person`]; [`copyright`] stands alone.

mod bio;
mod byline;
mod copyright;
mod credit;
mod person;

pub use bio::bio;
pub use byline::{byline, is_lone_byline_word, name_before_date, opens_byline};
pub use copyright::copyright_holder;
pub use credit::{credit_with_place, credited, name_with_outlet, wire_credit};
pub use person::{name_line, name_with_role};
