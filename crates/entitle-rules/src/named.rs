//! Unit enums written as fixed names in JSON (`"end_user"`, `"serverless_pro"`), each name
//! declared once: `named!` puts it on the variant for serde (and so for the TypeScript and
//! JSON Schema derives, which read serde's attributes) and into the enum's [`Named`] table,
//! which readers that do without serde's derived visitors use (`decode`, in the npm package's
//! check-only build).

/// A unit enum and the name of each of its variants.
pub trait Named: Copy + 'static {
    /// Every variant's name, in declaration order.
    const NAMES: &'static [&'static str];
    /// Every variant, in the order of [`Self::NAMES`].
    const ALL: &'static [Self];
}

/// Declares a unit enum whose variants are written as the given names:
/// `named! { /// docs  pub enum Kind { /// docs  Variant = "variant", … } }`. Every such enum is
/// a `Copy` value compared and hashed by variant, with serde, TypeScript and JSON Schema forms;
/// more derives (`Default`) go before `pub enum`.
macro_rules! named {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $($(#[$variant_meta:meta])* $variant:ident = $text:tt,)*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, ::serde::Serialize, ::serde::Deserialize)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
        #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
        pub enum $name {
            $($(#[$variant_meta])* #[serde(rename = $text)] $variant,)*
        }

        impl $crate::named::Named for $name {
            const NAMES: &'static [&'static str] = &[$($text),*];
            const ALL: &'static [Self] = &[$(Self::$variant),*];
        }
    };
}
