# Kannel (Debian's bearerbox + smsbox) beside the adapter, for ops/load.sh --kannel. Source it after common.sh and
# processes.sh. Everything listens on 127.0.0.1; the configuration lives in a temporary directory, never /etc/kannel.
# shellcheck shell=bash

KANNEL_ADMIN_PORT=${LOAD_KANNEL_ADMIN_PORT:-13100}
KANNEL_BOX_PORT=${LOAD_KANNEL_BOX_PORT:-13101}
KANNEL_SENDSMS_PORT=${LOAD_KANNEL_SENDSMS_PORT:-13113}
KANNEL_DLR_PORT=${LOAD_KANNEL_DLR_PORT:-18776}
KANNEL_ADMIN_PASSWORD=load-admin
KANNEL_USER=load KANNEL_PASSWORD=load123
# The log line of a receipt bearerbox could not match to a message it sent (smsc_smpp.c).
KANNEL_UNMATCHED='got DLR but could not find message'

kannel_require_ports() {
  require_free_port 127.0.0.1 "$KANNEL_ADMIN_PORT" "Kannel's admin port (LOAD_KANNEL_ADMIN_PORT)"
  require_free_port 127.0.0.1 "$KANNEL_BOX_PORT" "Kannel's smsbox port (LOAD_KANNEL_BOX_PORT)"
  require_free_port 127.0.0.1 "$KANNEL_SENDSMS_PORT" "Kannel's sendsms port (LOAD_KANNEL_SENDSMS_PORT)"
  require_free_port 127.0.0.1 "$KANNEL_DLR_PORT" "the delivery-report receiver (LOAD_KANNEL_DLR_PORT)"
}

# kannel_write_config FILE LOGDIR SMSC_PORT SYSTEM_ID PASSWORD SESSIONS WINDOW: bearerbox + smsbox against one SMSC
# account, SESSIONS transceiver binds of window WINDOW (one smsc group each, the same smsc-id, so either bind matches
# the other's receipts, as the adapter's pool does). Logs at warning level: the unmatched receipts are errors.
kannel_write_config() {
  local file=$1 logs=$2 smsc_port=$3 system_id=$4 password=$5 sessions=$6 window=$7 s
  {
    cat <<CONF
group = core
admin-port = $KANNEL_ADMIN_PORT
admin-interface = 127.0.0.1
admin-password = $KANNEL_ADMIN_PASSWORD
admin-allow-ip = 127.0.0.1
smsbox-port = $KANNEL_BOX_PORT
smsbox-interface = 127.0.0.1
box-allow-ip = 127.0.0.1
dlr-storage = internal
log-file = "$logs/bearerbox.log"
log-level = 2

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = $KANNEL_BOX_PORT
sendsms-port = $KANNEL_SENDSMS_PORT
sendsms-interface = 127.0.0.1
log-file = "$logs/smsbox.log"
log-level = 2

group = sendsms-user
username = $KANNEL_USER
password = $KANNEL_PASSWORD
user-allow-ip = 127.0.0.1
max-messages = 1

group = sms-service
keyword = default
catch-all = true
max-messages = 0
text = "unused"
CONF
    for ((s = 1; s <= sessions; s++)); do
      cat <<CONF

group = smsc
smsc = smpp
smsc-id = simulator
smsc-admin-id = simulator-$s
host = 127.0.0.1
port = $smsc_port
transceiver-mode = true
smsc-username = $system_id
smsc-password = $password
system-type = ""
max-pending-submits = $window
enquire-link-interval = 30
reconnect-delay = 1
CONF
    done
  } >"$file"
}

# kannel_online_count: how many of bearerbox's SMSC binds are online (its admin status page).
kannel_online_count() {
  # The URL (it carries the admin password) through curl's config on stdin, not its command line; printf is a builtin.
  printf 'url = "http://127.0.0.1:%s/status.txt?password=%s"\n' "$KANNEL_ADMIN_PORT" "$KANNEL_ADMIN_PASSWORD" \
    | curl -fsS --max-time 2 --config - 2>/dev/null | grep -c '(online' || true
}

# kannel_wait_ready SESSIONS SECONDS PID...: true once every bind is online and smsbox's sendsms port answers.
kannel_wait_ready() {
  local sessions=$1 seconds=$2 i pid
  shift 2
  for ((i = 0; i < seconds * 2; i++)); do
    if [ "$(kannel_online_count)" -ge "$sessions" ] && port_open 127.0.0.1 "$KANNEL_SENDSMS_PORT"; then return 0; fi
    for pid in "$@"; do is_running "$pid" || return 1; done
    sleep 0.5
  done
  return 1
}

# kannel_unmatched LOGFILE: the unmatched receipts bearerbox logged so far.
kannel_unmatched() { grep -c "$KANNEL_UNMATCHED" "$1" 2>/dev/null || true; }
