//! Which logger the code already uses, for the log line a fix inserts: the
//! receiver of calls such as `req.log.warn(…)`, `this.logger.error(…)`,
//! `appLogger.info(…)` (never `console`, which is the fallback).
//!
//! Textual and bounded: callers pass the text near a site, or the file once.

/// Log methods whose receiver is a logger.
const METHODS: &[&str] = &[
    ".warn(",
    ".info(",
    ".error(",
    ".debug(",
    ".warning(",
    ".fatal(",
];

/// The receivers of log calls in `text`, in order, each once: a dotted path
/// whose last part names a logger (`log`, `logger`, `appLogger`).
pub fn receivers(text: &str) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    // A logger's name ends in `log`, `logger` or `logging`, and a call on
    // it follows: text with none of these has no receiver (most windows).
    let named = ["log.", "logger", "Logger", "logging"]
        .iter()
        .any(|n| memchr::memmem::find(text.as_bytes(), n.as_bytes()).is_some());
    if !named {
        return out;
    }
    let bytes = text.as_bytes();
    for m in METHODS {
        for (at, _) in text.match_indices(m) {
            let start = bytes[..at]
                .iter()
                .rposition(|&b| !(b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b == b'.'))
                .map_or(0, |i| i + 1);
            let recv = &text[start..at];
            if is_logger(recv) && !out.iter().any(|(_, r)| r == recv) {
                out.push((start, recv.to_string()));
            }
        }
    }
    out.sort_by_key(|(at, _)| *at);
    out
}

/// A call that records the event in an audit or login log the project
/// keeps (`audit_service.log_action(…)`, `loginLogService.record(…)`):
/// the last part of the receiver and the method.
pub fn is_audit_log(receiver_last: &str, method: &str) -> bool {
    let r = receiver_last.to_ascii_lowercase();
    let m = method.to_ascii_lowercase();
    let records = m.contains("log")
        || m.contains("record")
        || matches!(m.as_str(), "create" | "add" | "write" | "save" | "insert");
    // `EventLogs.logEvent(…)`, `ActivityLog.create(…)`: a model of the
    // project's event log (not a `changelog`, `catalog` or `blog`).
    let event_log = [
        "eventlog",
        "eventlogs",
        "activitylog",
        "activitylogs",
        "securitylog",
    ]
    .iter()
    .any(|k| r.ends_with(k));
    let audit = r.contains("audit")
        || event_log
        || [
            "logservice",
            "log_service",
            "logrepository",
            "log_repository",
        ]
        .iter()
        .any(|k| r.ends_with(k));
    audit && records
}

fn is_logger(recv: &str) -> bool {
    let Some(first) = recv.split('.').next() else {
        return false;
    };
    let last = recv.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    !recv.is_empty()
        && !recv.starts_with('.')
        && !recv.ends_with('.')
        && !recv.contains("..")
        && !first.starts_with(|c: char| c.is_ascii_digit())
        && first != "console"
        && (last == "log" || last.ends_with("logger") || last == "logging")
}

/// The root of a receiver (`req` of `req.log`), which must be in scope.
pub fn root(recv: &str) -> &str {
    recv.split('.').next().unwrap_or(recv)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audit_and_event_logs_record() {
        assert!(is_audit_log("auditService", "logAction"));
        assert!(is_audit_log("EventLogs", "logEvent"));
        assert!(is_audit_log("ActivityLog", "create"));
        assert!(!is_audit_log("changelog", "create"));
        assert!(!is_audit_log("EventLogs", "findMany"));
    }

    #[test]
    fn logger_receivers_are_found_in_order() {
        let text =
            "console.warn('x'); req.log.warn('a'); this.logger.error(e); appLogger.info(1);\n\
                    req.log.info('again'); Sentry.captureException(e); obj.warn(1); x..log.warn()";
        let found: Vec<String> = receivers(text).into_iter().map(|(_, r)| r).collect();
        assert_eq!(found, ["req.log", "this.logger", "appLogger"]);
        assert_eq!(root("this.logger"), "this");
    }
}
