use scalecore::Severity;
use scalecore_bindings::LintReport;

/// GitHub Actions workflow commands: one annotation per diagnostic, then a summary line.
pub fn render(report: &LintReport) -> String {
    let mut out = String::new();
    for f in &report.files {
        for d in &f.diagnostics {
            let command = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "notice",
            };
            let message = match &d.help {
                Some(h) => format!("{}\nhelp: {h}", d.message),
                None => d.message.clone(),
            };
            out.push_str(&format!(
                "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
                property(&f.path),
                d.line,
                d.column,
                d.end_line,
                d.end_column,
                property(&d.code),
                data(&message),
            ));
        }
    }
    out.push_str(&format!(
        "scalecore: {} errors, {} warnings\n",
        report.summary.errors, report.summary.warnings
    ));
    out
}

/// Escapes as the runner's command parser expects in a message.
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes as the runner's command parser expects in a property value.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}
