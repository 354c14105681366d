# null-sink.bash: a private PulseAudio null sink to play into and record from.
# Sourced by the live test scripts (bash, set -euo pipefail):
#
#   sink_setup           skip (exit 77) when PulseAudio is missing; make $dir,
#                        point this shell's PulseAudio clients at a private
#                        daemon, start it and wait until it answers
#   recorder_start FILE  record the sink's monitor (raw float32 stereo 48 kHz)
#   recorder_stop        stop recording (after a little more sound has come)
#   sink_stop            stop the daemon
#   fail MESSAGE         print FAIL: MESSAGE and exit 1
# Everything started is stopped, and $dir removed, when the script exits;
# the script may add its own clean-up to the function sink_cleanup_extra.

for program in pulseaudio pacat pactl; do
    if ! command -v "$program" >/dev/null 2>&1; then
        echo "SKIP: $program is not installed (packages pulseaudio, pulseaudio-utils)"
        exit 77
    fi
done

dir=$(mktemp -d "${TMPDIR:-/tmp}/breathe-live.XXXXXX")
daemon_pid=""
pacat_pid=""

stop_process() { # PID: SIGTERM, then SIGKILL after 3 s
    local pid=$1 i
    kill -TERM "$pid" 2>/dev/null || return 0
    kill -CONT "$pid" 2>/dev/null || true # a process held with SIGSTOP
    for ((i = 0; i < 30; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

sink_cleanup_extra() { :; }

sink_cleanup() {
    local status=$?
    trap - EXIT INT TERM
    sink_cleanup_extra
    [[ -n $pacat_pid ]] && stop_process "$pacat_pid"
    [[ -n $daemon_pid ]] && stop_process "$daemon_pid"
    if [[ $status -ne 0 && $status -ne 77 && -s $dir/daemon.log ]]; then
        echo "--- pulseaudio log (last lines) ---"
        tail -n 20 "$dir/daemon.log" || true
    fi
    if [[ -n ${BREATHE_LIVE_KEEP-} ]]; then
        if mkdir -p "$BREATHE_LIVE_KEEP"; then
            cp "$dir"/*.raw "$dir"/*.wav "$BREATHE_LIVE_KEEP"/ 2>/dev/null || true
        fi
    fi
    rm -rf "$dir"
    exit "$status"
}
trap sink_cleanup EXIT
trap 'exit 1' INT TERM

fail() {
    echo "FAIL: $*"
    exit 1
}

sink_setup() {
    mkdir -p "$dir/run" "$dir/home"
    chmod 700 "$dir/run"
    local socket=$dir/run/native i ready=0
    export XDG_RUNTIME_DIR=$dir/run
    export HOME=$dir/home
    # breathe's own files too: no defaults, and a history of its own.
    export XDG_CONFIG_HOME=$dir/config
    export XDG_STATE_HOME=$dir/state
    export PULSE_SERVER=unix:$socket
    export PULSE_CLIENTCONFIG=$dir/client.conf
    unset PULSE_SINK PULSE_SOURCE
    printf 'autospawn = no\n' >"$dir/client.conf"
    cat >"$dir/test.pa" <<PA
load-module module-null-sink sink_name=breathe_test rate=48000 channels=2 format=float32le norewinds=1
load-module module-native-protocol-unix auth-anonymous=1 socket=$socket
set-default-sink breathe_test
PA
    pulseaudio -n -F "$dir/test.pa" --daemonize=no --exit-idle-time=-1 --disable-shm=yes \
        --use-pid-file=no >"$dir/daemon.log" 2>&1 &
    daemon_pid=$!
    for ((i = 0; i < 100; i++)); do
        kill -0 "$daemon_pid" 2>/dev/null || fail "pulseaudio exited at start"
        if pactl info >/dev/null 2>&1; then
            ready=1
            break
        fi
        sleep 0.1
    done
    [[ $ready -eq 1 ]] || fail "pulseaudio did not answer within 10 s"
}

recorder_start() { # FILE
    local file=$1 i recording=0
    pacat --record --raw --latency-msec=20 -d breathe_test.monitor --rate=48000 --channels=2 \
        --format=float32le >"$file" 2>"$dir/pacat.log" &
    pacat_pid=$!
    for ((i = 0; i < 100; i++)); do
        kill -0 "$pacat_pid" 2>/dev/null || fail "pacat exited: $(cat "$dir/pacat.log")"
        if [[ -s $file ]]; then
            recording=1
            break
        fi
        sleep 0.1
    done
    [[ $recording -eq 1 ]] || fail "pacat recorded nothing within 10 s"
}

recorder_stop() {
    sleep 0.5
    kill -INT "$pacat_pid" 2>/dev/null || true
    wait "$pacat_pid" 2>/dev/null || true
    pacat_pid=""
}

sink_stop() {
    stop_process "$daemon_pid"
    daemon_pid=""
}
