//! Typed bit flags: a set of yes/no facts about a character or a word in one byte, named and
//! combined by type rather than as raw `u8` constants.

/// Declares a flag set: a `Copy` newtype over an integer with named constants, `|` to combine
/// them, and `contains` / `intersects` to ask.
///
/// ```
/// docnorm_toolkit::flags! {
///     /// What a word is.
///     pub struct Kind: u8 {
///         /// A function word.
///         const STOP = 1;
///         /// Chrome vocabulary.
///         const UI = 2;
///     }
/// }
/// let both = Kind::STOP | Kind::UI;
/// assert!(both.contains(Kind::UI) && Kind::STOP.intersects(both));
/// assert!(!Kind::STOP.intersects(Kind::UI) && Kind::default().is_empty());
/// ```
#[macro_export]
macro_rules! flags {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident: $int:ty {
            $(
                $(#[$flag_meta:meta])*
                const $flag:ident = $value:expr;
            )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
        $vis struct $name($int);

        #[allow(dead_code)] // A set need not use every operation.
        impl $name {
            $(
                $(#[$flag_meta])*
                pub const $flag: Self = Self($value);
            )*

            /// No flag set.
            pub const NONE: Self = Self(0);

            /// Whether every flag of `other` is set.
            #[inline]
            pub const fn contains(self, other: Self) -> bool {
                self.0 & other.0 == other.0
            }

            /// Whether any flag of `other` is set.
            #[inline]
            pub const fn intersects(self, other: Self) -> bool {
                self.0 & other.0 != 0
            }

            /// Whether no flag is set.
            #[inline]
            pub const fn is_empty(self) -> bool {
                self.0 == 0
            }

            /// The flags of `self` and of `other`.
            #[inline]
            #[must_use]
            pub const fn union(self, other: Self) -> Self {
                Self(self.0 | other.0)
            }
        }

        impl ::std::ops::BitOr for $name {
            type Output = Self;
            #[inline]
            fn bitor(self, other: Self) -> Self {
                self.union(other)
            }
        }

        impl ::std::ops::BitOrAssign for $name {
            #[inline]
            fn bitor_assign(&mut self, other: Self) {
                *self = self.union(other);
            }
        }
    };
}
