# Tells the environment's Slack channel how a job ended, through its incoming webhook. A
# notification never fails a deploy: a missing secret or a Slack error is a warning, and the step
# always exits 0 (the workflow marks it continue-on-error too).
set -uo pipefail

if [ -z "${SLACK_WEBHOOK_URL:-}" ]; then
  echo "The Slack webhook secret is not set; nothing reported."
  exit 0
fi
case "$JOB_STATUS" in
  success) icon=":white_check_mark:" ;;
  cancelled) icon=":heavy_minus_sign:" ;;
  *) icon=":x:" ;;
esac
text="$icon $WHAT: $JOB_STATUS (<$GITHUB_SERVER_URL/$GITHUB_REPOSITORY/actions/runs/$GITHUB_RUN_ID|run $GITHUB_RUN_ID>, commit ${GITHUB_SHA:0:12})"
if ! payload=$(jq -n --arg text "$text" '{text: $text}'); then
  echo "::warning title=Slack not told::cannot build the message"
  exit 0
fi
if ! curl --fail --silent --show-error --max-time 20 --retry 2 -H "Content-Type: application/json" --data "$payload" "$SLACK_WEBHOOK_URL" > /dev/null 2> "${RUNNER_TEMP:-/tmp}/slack-error"; then
  echo "::warning title=Slack not told::the Slack webhook failed: $(tr '\n' ' ' < "${RUNNER_TEMP:-/tmp}/slack-error")"
fi
exit 0
