//! Kubernetes resource quantities (`500m`, `1.5`, `256Mi`, `1G`, `2e3`): the API server's
//! grammar, parsed exactly (to thousandths of a unit, in integers), so requests can be compared
//! with limits and ceilings and a memory limit can be doubled without floating-point drift.
//!
//! ```text
//! quantity ::= sign? digits ("." digits?)? suffix?   |   sign? "." digits suffix?
//! suffix   ::= binary (Ki Mi Gi Ti Pi Ei) | decimal (n u m "" k M G T P E) | ("e"|"E") sign? digits
//! ```

use std::fmt;

/// A parsed quantity, in thousandths of the base unit (millicores for CPU, millibytes for
/// memory), and the form it was written in (for showing results in the same style).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quantity {
    /// The value in thousandths of the unit.
    pub milli: i128,
    /// How it was written.
    pub format: Format,
}

/// How a quantity was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Powers of 1024 (`Mi`, `Gi` …).
    Binary,
    /// Powers of 1000, or no suffix.
    Decimal,
}

/// Why text is not a quantity.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a Kubernetes quantity (e.g. `500m`, `1`, `256Mi`, `1Gi`)")]
pub struct QuantityError(pub String);

/// The most characters a quantity may have (the API server's own limit is similar).
const MAX_LENGTH: usize = 64;

impl Quantity {
    /// Parses `text` by the API server's grammar. Negative values are refused (no resource
    /// amount is negative), as are values too large to be real.
    pub fn parse(text: &str) -> Result<Quantity, QuantityError> {
        let error = || QuantityError(text.chars().take(MAX_LENGTH).collect());
        if text.is_empty() || text.len() > MAX_LENGTH || !text.is_ascii() {
            return Err(error());
        }
        let unsigned = text.strip_prefix('+').unwrap_or(text);
        if unsigned.starts_with('-') {
            return Err(error());
        }
        let number_end = unsigned.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(unsigned.len());
        let (number, suffix) = unsigned.split_at(number_end);
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        if whole.is_empty() && fraction.is_empty() || fraction.contains('.') {
            return Err(error());
        }
        // The number as an integer of thousandths-of-thousandths, scaled by the suffix below.
        let digits = format!("{whole}{fraction}");
        let mantissa: i128 = if digits.is_empty() { 0 } else { digits.parse().map_err(|_| error())? };
        let fraction_digits = i32::try_from(fraction.len()).map_err(|_| error())?;
        let (format, multiplier, exponent10): (Format, i128, i32) = match suffix {
            "" => (Format::Decimal, 1, 0),
            "n" => (Format::Decimal, 1, -9),
            "u" => (Format::Decimal, 1, -6),
            "m" => (Format::Decimal, 1, -3),
            "k" => (Format::Decimal, 1, 3),
            "M" => (Format::Decimal, 1, 6),
            "G" => (Format::Decimal, 1, 9),
            "T" => (Format::Decimal, 1, 12),
            "P" => (Format::Decimal, 1, 15),
            "E" => (Format::Decimal, 1, 18),
            "Ki" => (Format::Binary, 1 << 10, 0),
            "Mi" => (Format::Binary, 1 << 20, 0),
            "Gi" => (Format::Binary, 1 << 30, 0),
            "Ti" => (Format::Binary, 1 << 40, 0),
            "Pi" => (Format::Binary, 1 << 50, 0),
            "Ei" => (Format::Binary, 1 << 60, 0),
            exponent if exponent.starts_with(['e', 'E']) => {
                let value: i32 = exponent[1..].parse().map_err(|_| error())?;
                if !(-30..=30).contains(&value) {
                    return Err(error());
                }
                (Format::Decimal, 1, value)
            }
            _ => return Err(error()),
        };
        // value = mantissa × 10^(exponent10 − fraction_digits) × multiplier; in thousandths:
        let power = exponent10 - fraction_digits + 3;
        let scaled = mantissa.checked_mul(multiplier).ok_or_else(error)?;
        let milli = if power >= 0 {
            10_i128.checked_pow(u32::try_from(power).map_err(|_| error())?).and_then(|p| scaled.checked_mul(p))
        } else {
            // Below a thousandth: round up, as the API server does (1n of CPU is 1m).
            let divisor = 10_i128.checked_pow(u32::try_from(-power).map_err(|_| error())?).ok_or_else(error)?;
            Some((scaled + divisor - 1) / divisor)
        }
        .ok_or_else(error)?;
        if milli > MAX_MILLI {
            return Err(error());
        }
        Ok(Quantity { milli, format })
    }

    /// The quantity times `factor`, in the same format.
    pub fn times(self, factor: i128) -> Quantity {
        Quantity { milli: self.milli.saturating_mul(factor), format: self.format }
    }
}

/// Larger than any real node (an exbibyte, in millibytes, times a thousand).
const MAX_MILLI: i128 = (1_i128 << 60) * 1_000 * 1_000;

impl fmt::Display for Quantity {
    /// Canonical text: the largest suffix of its format that divides it exactly (`512Mi`,
    /// `1Gi`, `500m`, `2`), as `kubectl` would print it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let milli = self.milli;
        if milli % 1_000 != 0 {
            return write!(f, "{milli}m");
        }
        let units = milli / 1_000;
        let suffixes: &[(&str, i128)] = match self.format {
            Format::Binary => {
                &[("Ei", 1 << 60), ("Pi", 1 << 50), ("Ti", 1 << 40), ("Gi", 1 << 30), ("Mi", 1 << 20), ("Ki", 1 << 10)]
            }
            Format::Decimal => &[
                ("E", 1_000_000_000_000_000_000),
                ("P", 1_000_000_000_000_000),
                ("T", 1_000_000_000_000),
                ("G", 1_000_000_000),
                ("M", 1_000_000),
                ("k", 1_000),
            ],
        };
        for (suffix, size) in suffixes {
            if units != 0 && units % size == 0 {
                return write!(f, "{}{suffix}", units / size);
            }
        }
        write!(f, "{units}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn milli(text: &str) -> i128 {
        Quantity::parse(text).unwrap().milli
    }

    #[test]
    fn the_api_servers_grammar() {
        assert_eq!(milli("500m"), 500);
        assert_eq!(milli("1"), 1_000);
        assert_eq!(milli("1.5"), 1_500);
        assert_eq!(milli(".5"), 500);
        assert_eq!(milli("+2"), 2_000);
        assert_eq!(milli("256Mi"), 256 * (1 << 20) * 1_000);
        assert_eq!(milli("1Gi"), (1 << 30) * 1_000);
        assert_eq!(milli("1G"), 1_000_000_000_000);
        assert_eq!(milli("2e3"), 2_000_000);
        assert_eq!(milli("1E3"), 1_000_000);
        assert_eq!(milli("1E"), 1_000_000_000_000_000_000_000);
        assert_eq!(milli("1n"), 1, "below a thousandth rounds up");
        assert_eq!(milli("0"), 0);
        for bad in ["", "-1", "1.2.3", "Mi", "1mi", "1 Gi", "1GB", "1e", "1e+", "abc", "1é", "1e999", &"9".repeat(70)]
        {
            assert!(Quantity::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn prints_as_kubectl_does() {
        for (text, shown) in
            [("512Mi", "512Mi"), ("1024Mi", "1Gi"), ("500m", "500m"), ("2", "2"), ("1000M", "1G"), ("1.5Gi", "1536Mi")]
        {
            assert_eq!(Quantity::parse(text).unwrap().to_string(), shown, "{text}");
        }
        assert_eq!(Quantity::parse("256Mi").unwrap().times(2).to_string(), "512Mi");
    }
}
