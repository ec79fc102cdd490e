# Shared by the scripts in this folder: find a JDK >= 25 and build the project when needed.
# Sourced, not run.

TALLY_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TALLY_MIN_JDK=25

# java_major JAVA_BIN -> prints the major version (17, 25, ...) or nothing
java_major() {
  local v
  v="$("$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -1)"
  [ -n "$v" ] && echo "${v%%.*}"
}

# find_jdk: sets JAVA_HOME and PATH to a JDK >= 25. Order: JAVA_HOME, java on PATH, installed JDKs.
find_jdk() {
  local candidates=() c major
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v java >/dev/null 2>&1; then
    c="$(readlink -f "$(command -v java)")"
    candidates+=("$(dirname "$(dirname "$c")")")
  fi
  for c in /usr/lib/jvm/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/* /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -d "$c" ] && candidates+=("$c")
  done
  for c in "${candidates[@]}"; do
    [ -x "$c/bin/java" ] && [ -x "$c/bin/javac" ] || continue
    major="$(java_major "$c/bin/java")"
    if [ -n "$major" ] && [ "$major" -ge "$TALLY_MIN_JDK" ]; then
      export JAVA_HOME="$c"
      export PATH="$c/bin:$PATH"
      return 0
    fi
  done
  echo "tally: no JDK $TALLY_MIN_JDK or newer found (looked at JAVA_HOME, java on PATH, /usr/lib/jvm, /opt)." >&2
  echo "tally: install a JDK 25 (e.g. Temurin 25) and set JAVA_HOME to it, then run this again." >&2
  return 1
}

find_maven() {
  if ! command -v mvn >/dev/null 2>&1; then
    echo "tally: Maven (mvn, 3.8 or newer) is not on PATH; install it (apt-get install maven) and retry." >&2
    return 1
  fi
  # Maven's bundled Guava warns about sun.misc.Unsafe on JDK 24+; the warning is noise here.
  export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
}

# ensure_built: packages the project (tests skipped) when a source is newer than the last build, and
# writes each module's runtime classpath to MODULE/target/classpath.txt.
ensure_built() {
  mkdir -p "$TALLY_ROOT/target"
  # one build at a time when several scripts start together (the demo starts the simulator and the terminal)
  with_build_lock _ensure_built_locked
}

# with_build_lock COMMAND [ARGS...]: runs COMMAND holding target/.build.lock (when flock is there); its status
with_build_lock() {
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$TALLY_ROOT/target/.build.lock"
    flock 9
  fi
  local rc=0
  "$@" || rc=$?
  if command -v flock >/dev/null 2>&1; then flock -u 9; exec 9>&-; fi
  return $rc
}

_ensure_built_locked() {
  local stamp="$TALLY_ROOT/target/.tally-built"
  if [ -f "$stamp" ] && [ -z "$(find "$TALLY_ROOT" -path "$TALLY_ROOT/.git" -prune -o \
        \( -name '*.java' -o -name 'pom.xml' -o -path '*/src/main/resources/*' \) -newer "$stamp" -print -quit)" ]; then
    return 0
  fi
  echo "tally: building (mvn package, tests skipped)..." >&2
  local log
  log="$(mktemp)"
  if ! (cd "$TALLY_ROOT" && mvn -B -q -ntp -Dstyle.color=never -DskipTests package dependency:build-classpath \
      -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime) >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "tally: the build failed (output above); run 'mvn -B package' in $TALLY_ROOT to see more." >&2
    return 1
  fi
  rm -f "$log"
  touch "$stamp"
}

# tally_jvm_opts ARGS...: JVM options for one `tally` command, then $TALLY_JAVA_OPTS (yours, last, so they win).
# A one-shot command (sale, report, replay, decode, ...) lives for seconds: C1 alone (TieredStopAtLevel=1)
# compiles a fraction of what C2 would, and on a two-core till that CPU goes to the work instead (measured:
# cold start of `tally --help` 0.63 -> 0.46 s; a 20,000-request `tally replay` spent 10 of its 12 CPU seconds in
# C2). And the serial collector: G1's concurrent threads, write barriers and heap resizing cost such a command
# CPU the pauses it avoids do not repay (a steady-state `tally replay` of 39,943 requests at --speed max: the
# replayer's system time 1.0 -> 0.6 s; its rate moved within the noise, docs/BENCHMARKS.md "Replay").
# `load` and `serve` run for minutes to days and keep the JVM's defaults (tiered compilation, G1).
tally_jvm_opts() {
  local a one_shot=1
  for a in "$@"; do
    case "$a" in load|serve) one_shot=0 ;; esac
  done
  [ "$one_shot" = 1 ] && printf '%s\n' -XX:TieredStopAtLevel=1 -XX:+UseSerialGC
  # word splitting intended: TALLY_JAVA_OPTS holds several options
  # shellcheck disable=SC2086
  [ -n "${TALLY_JAVA_OPTS:-}" ] && printf '%s\n' $TALLY_JAVA_OPTS
  return 0
}

# A one-shot `tally` command spends most of its life starting: the JVM loads and links a few thousand classes
# (picocli's model of every subcommand, jPOS, sqlite-jdbc) before it does anything. A class-data-sharing
# archive (JDK CDS, made once per build by tally_make_cds) maps those classes in already parsed and checked:
# by hand (2026-11-23), `tally journal` on a new journal 0.83-1.14 -> 0.63-0.74 s (journal reads an existing
# journal only since 2026-11-24; the bench times it on an empty one). CDS takes classes from jars only, so
# scripts/tally runs the module's jar. The JVM checks the archive against the JDK and every jar (size and
# time) and, when it does not match or cannot be read, runs without it: -Xlog:...=off keeps that silent, so an
# archive never changes what a command prints or how it exits.
TALLY_CDS_QUIET=(-Xlog:cds=off -Xlog:cds+dynamic=off -Xlog:aot=off)

# tally_jar -> the terminal's packaged jar (empty when there is none)
tally_jar() {
  local j
  for j in "$TALLY_ROOT"/terminal-app/target/terminal-app-*.jar; do
    case "$j" in *-tests.jar|*-sources.jar|*-javadoc.jar) continue ;; esac
    [ -f "$j" ] && { echo "$j"; return 0; }
  done
  return 0
}

# tally_make_cds ARCHIVE CLASSPATH: records the classes a one-shot command loads into ARCHIVE: a new till's first
# sale, on a new journal in a temp folder, to a port nothing listens on (picocli, SQLite, the schema, the engine,
# jPOS's channel; it ends "cannot reach the host", exit 69, and sends nothing). The day's commands (pending, settle,
# reconcile) and journal refuse a journal that is not there, so a sale is the command that makes one. Written beside
# ARCHIVE, then moved in place, so a command starting meanwhile maps the old archive or the new one, never half of
# one. Returns non-zero (ARCHIVE untouched) when it could not be made; the commands then just start without it.
tally_make_cds() {
  local archive="$1" cp="$2" tmp dir rc
  dir="$(mktemp -d)" || return 1
  tmp="$archive.tmp.$$"
  java --enable-native-access=ALL-UNNAMED -XX:TieredStopAtLevel=1 "${TALLY_CDS_QUIET[@]}" \
    -XX:ArchiveClassesAtExit="$tmp" -cp "$cp" dev.tally.terminal.cli.TallyCli --journal "$dir/journal.db" \
    --host 127.0.0.1 --port 1 --timeout 1 sale --order CDS-1 --amount 1.00 >/dev/null 2>&1
  rc=$?
  if { [ "$rc" -eq 0 ] || [ "$rc" -eq 69 ]; } && [ -s "$tmp" ] && mv -f "$tmp" "$archive"; then
    rm -rf "$dir"
    return 0
  fi
  rm -rf "$dir" "$tmp"
  return 1
}

# tally_launch_classpath -> the classpath scripts/tally runs (the jar when there is one, else the classes)
tally_launch_classpath() {
  local jar
  jar="$(tally_jar)"
  if [ -n "$jar" ]; then
    echo "$jar:$(cat "$TALLY_ROOT/terminal-app/target/classpath.txt")"
  else
    module_classpath terminal-app
  fi
}

# tally_cds_opts -> the JVM options that use the build's archive, made first (about 1.5 s, once) when there is
# none or the jar is newer (one maker at a time, under the build lock). Prints nothing when there is no jar or
# the archive cannot be made.
tally_cds_opts() {
  local archive="$TALLY_ROOT/terminal-app/target/tally-cds.jsa" jar
  jar="$(tally_jar)"
  [ -n "$jar" ] || return 0
  if _tally_cds_wanted "$archive" "$jar"; then
    with_build_lock _tally_cds_make_if_wanted "$archive" "$jar"
  fi
  [ -s "$archive" ] && [ ! "$jar" -nt "$archive" ] || return 0
  printf '%s\n' "-XX:SharedArchiveFile=$archive" "${TALLY_CDS_QUIET[@]}"
}

# _tally_cds_wanted ARCHIVE JAR: no archive as new as the jar, and no failed try since the jar was built (a JDK
# that cannot make one, with no base CDS archive in its image say, is asked once per build, not per command)
_tally_cds_wanted() {
  { [ ! -s "$1" ] || [ "$2" -nt "$1" ]; } && { [ ! -f "$1.failed" ] || [ "$2" -nt "$1.failed" ]; }
}

# _tally_cds_make_if_wanted ARCHIVE JAR: under the build lock, makes the archive unless another command just did
_tally_cds_make_if_wanted() {
  _tally_cds_wanted "$1" "$2" || return 0
  if tally_make_cds "$1" "$(tally_launch_classpath)"; then
    rm -f "$1.failed"
  else
    : > "$1.failed" 2>/dev/null || true
  fi
}

# module_classpath MODULE -> the module's classes plus its runtime dependencies
module_classpath() {
  local m="$TALLY_ROOT/$1"
  echo "$m/target/classes:$(cat "$m/target/classpath.txt")"
}
