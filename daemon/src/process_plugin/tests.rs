//! Tests of the process plugin pool against real child processes (`sh` and the misbehaving
//! test plugin).

use super::*;
use serde_json::json;

const LIMIT: Duration = Duration::from_millis(400);

/// A plugin written in `sh`: `start` runs first, then it answers the hello and runs `each`
/// for each request, with the request in `$line` and its id in `$id`; `$dir` is a folder
/// for the test.
fn plugin(dir: &Path, start: &str, each: &str) -> ProcessSpec {
    let manifest = r#"{"type":"manifest","protocol":"docnorm.plugin-protocol/1","name":"sh","version":"1","reads":[],"writes":["extra"]}"#;
    let script = format!(
        "dir={dir}; {start}\nread hello; echo '{manifest}'\nwhile read line; do id=$(printf '%s' \"$line\" | sed 's/^.*\"id\":\\([0-9]*\\).*$/\\1/'); {each}\ndone",
        dir = dir.display()
    );
    ProcessSpec {
        name: "sh".to_owned(),
        command: vec!["sh".to_owned(), "-c".to_owned(), script],
        dir: None,
        options: Value::Null,
        processes: NonZeroUsize::MIN,
        time_limit: LIMIT,
        max_response_bytes: NonZeroUsize::new(1 << 20).unwrap(),
    }
}

/// Answers with the plugin's process id.
const ANSWER_PID: &str =
    r#"echo "{\"type\":\"patch\",\"id\":$id,\"patch\":{\"extra\":{\"pid\":$$}}}""#;

fn call(plugin: &ProcessPlugin, text: &str) -> Result<Outcome, PluginError> {
    plugin.call(&Document::for_text("doc.txt", text), &Map::new())
}

fn pid(outcome: &Outcome) -> u64 {
    let Outcome::Patch(patch) = outcome else {
        panic!("declined")
    };
    patch["extra"]["pid"].as_u64().unwrap()
}

/// Whether process `pid` still runs (a zombie waiting for someone else to reap it
/// does not).
fn running(pid: u64) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        !stat
            .rsplit_once(") ")
            .is_some_and(|(_, s)| s.starts_with('Z'))
    })
}

#[test]
fn a_call_past_the_limit_kills_the_whole_group_and_the_next_call_gets_a_fresh_process() {
    let dir = tempfile::tempdir().unwrap();
    let each = format!(
        "case \"$line\" in *hang*) sleep 30 & echo $! > $dir/sleeper; wait;; esac; {ANSWER_PID}"
    );
    let plugin = ProcessPlugin::start(plugin(dir.path(), "", &each)).unwrap();
    let first = pid(&call(&plugin, "hello").unwrap());

    let started = Instant::now();
    let err = call(&plugin, "hang").unwrap_err();
    let took = started.elapsed();
    assert!(matches!(err, PluginError::Crashed(_)), "{err}");
    assert_eq!(
        err.to_string(),
        "did not answer within the time limit of 400 ms (run.plugin_time_limit_ms); its process was killed"
    );
    assert!(took >= LIMIT && took < LIMIT * 3, "{took:?}");
    let sleeper: u64 = std::fs::read_to_string(dir.path().join("sleeper"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(!running(first), "the plugin process survived");
    // Killed with the group; a grandchild is reaped by init a moment later on a busy machine.
    let gone = (0..100).any(|_| {
        std::thread::sleep(Duration::from_millis(20));
        !running(sleeper)
    });
    assert!(gone, "what it started in its group survived");

    let next = pid(&call(&plugin, "hello").unwrap());
    assert_ne!(next, first);
    plugin.stop();
    assert!(!running(next), "stop left the idle process running");
    let err = call(&plugin, "hello").unwrap_err();
    assert!(err.to_string().contains("stopping"), "{err}");
}

#[test]
fn a_plugin_that_keeps_failing_to_start_is_started_again_only_after_growing_delays() {
    let dir = tempfile::tempdir().unwrap();
    // Starts once; dies at every later start, and on its first document.
    let start = "echo start >> $dir/starts; if [ -e $dir/started ]; then echo 'cannot open rules.db' >&2; exit 1; fi; touch $dir/started";
    let spec = ProcessSpec {
        time_limit: Duration::from_millis(300),
        ..plugin(dir.path(), start, "exit 3")
    };
    let plugin = ProcessPlugin::start(spec).unwrap();
    let err = call(&plugin, "a").unwrap_err();
    assert_eq!(
        err.to_string(),
        "its process exited with status 3 before answering"
    );
    let err = call(&plugin, "b").unwrap_err().to_string();
    assert!(
            err.starts_with("cannot start its process: in its handshake: its process exited with status 1 before answering (its last line on stderr: `cannot open rules.db`)"),
            "{err}"
        );
    // The next starts wait 100 ms, then 200 ms; one that would wait past the time limit
    // (300 ms) fails the call at once.
    for wait in [FIRST_BACKOFF, FIRST_BACKOFF * 2] {
        let started = Instant::now();
        let err = call(&plugin, "c").unwrap_err().to_string();
        assert!(started.elapsed() >= wait, "started again within {wait:?}");
        assert!(err.starts_with("cannot start its process: "), "{err}");
    }
    let started = Instant::now();
    let err = call(&plugin, "d").unwrap_err().to_string();
    assert!(
        started.elapsed() < FIRST_BACKOFF,
        "waited for the next start"
    );
    assert!(err.contains("(starting again in "), "{err}");
    let starts = std::fs::read_to_string(dir.path().join("starts")).unwrap();
    assert_eq!(starts.lines().count(), 4, "{starts}");
}

#[test]
fn an_answer_that_breaks_the_protocol_fails_the_document_and_replaces_the_process() {
    let dir = tempfile::tempdir().unwrap();
    let each = format!(
        "case \"$line\" in *garbage*) echo 'Traceback (most recent call last):';; *long*) head -c 2000000 /dev/zero | tr '\\0' x; echo;; *twice*) {ANSWER_PID}; {ANSWER_PID};; *) {ANSWER_PID};; esac"
    );
    let plugin = ProcessPlugin::start(plugin(dir.path(), "", &each)).unwrap();
    let first = pid(&call(&plugin, "hello").unwrap());
    let err = call(&plugin, "garbage").unwrap_err().to_string();
    assert!(
        err.starts_with("answered with a line that is not a protocol message (")
            && err.ends_with("`Traceback (most recent call last):`; its process was killed"),
        "{err}"
    );
    let err = call(&plugin, "long").unwrap_err().to_string();
    assert!(err.contains("longer than 1048576 bytes"), "{err}");
    // Two answers to one request: this document is done, the process is not used again.
    let outcome = call(&plugin, "twice").unwrap();
    std::thread::sleep(Duration::from_millis(100));
    let third = pid(&call(&plugin, "hello").unwrap());
    assert_ne!(pid(&outcome), third);
    assert!(![first, pid(&outcome)].iter().any(|p| running(*p)));
    assert_eq!(
        json!(call(&plugin, "hello").map(|o| pid(&o)).unwrap()),
        json!(third)
    );
}
