//! Prompts are files (`prompts/*.md`), embedded at build time and listed here in one
//! registry. Placeholders are `{{name}}`; rendering fails on a missing value so a prompt
//! never goes out with a hole in it.

/// Every prompt: name and template.
pub const PROMPTS: [(&str, &str); 3] = [
    ("system", include_str!("../prompts/system.md")),
    ("json_tools", include_str!("../prompts/json_tools.md")),
    ("explain", include_str!("../prompts/explain.md")),
];

/// Looks a prompt template up by name.
pub fn template(name: &str) -> Option<&'static str> {
    PROMPTS.iter().find(|(prompt, _)| *prompt == name).map(|(_, text)| *text)
}

/// Fills `{{key}}` placeholders; errors name the first placeholder without a value.
pub fn render(template: &str, values: &[(&str, &str)]) -> Result<String, String> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find("}}").ok_or_else(|| "unclosed `{{` in prompt".to_string())?;
        let key = after[..end].trim();
        let value = values
            .iter()
            .find(|(name, _)| *name == key)
            .map(|(_, value)| *value)
            .ok_or_else(|| format!("no value for `{{{{{key}}}}}`"))?;
        out.push_str(value);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_prompt_exists_and_renders() {
        for (name, text) in PROMPTS {
            assert!(!text.trim().is_empty(), "{name}");
            let values = [("context", "minikube"), ("namespace", "todo"), ("cluster", "(none)"), ("tools", "[]")];
            let rendered = render(text, &values).unwrap();
            assert!(!rendered.contains("{{"), "{name}");
        }
        assert!(template("system").is_some() && template("json_tools").is_some() && template("explain").is_some());
    }

    #[test]
    fn missing_values_are_errors() {
        assert_eq!(render("a {{x}} b", &[]).unwrap_err(), "no value for `{{x}}`");
        assert_eq!(render("a {{x}} b", &[("x", "1")]).unwrap(), "a 1 b");
    }
}
