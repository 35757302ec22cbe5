/*
 * The `aws` command of the rehearsal when the fork server runs (see aws-forkserver.py), compiled by
 * the rehearsal with the server's socket, the stand-in's endpoint and the installed CLI built in:
 *
 *   cc -O2 -DSOCKET_PATH='"…/aws.sock"' -DENDPOINT_URL='"http://127.0.0.1:…"' -DAWS_CLI='"/usr/bin/aws"'
 *
 * It hands this process's argv (after `--endpoint-url ENDPOINT`), environment, working directory and
 * standard streams to the server and exits with the CLI's exit code; when the server's socket does
 * not answer, it runs the installed CLI itself, as the shell wrapper does. A call through it costs
 * about 10 ms of CPU (exec included) where /bin/sh and Python's start (aws-forkclient.py) cost 55:
 * the rehearsal makes thousands.
 *
 * The request (the same as aws-forkclient.py's): a 4-byte big-endian length, then NUL-terminated
 * fields: the working directory, the number of arguments, the arguments, then `NAME=VALUE` per
 * environment variable; the three standard streams travel as SCM_RIGHTS with its first byte. The
 * reply: the exit code as a 4-byte big-endian signed integer.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

extern char **environ;

static char *buffer;
static size_t used, capacity;

static void append(const char *text) {
  size_t length = strlen(text) + 1;
  if (used + length > capacity) {
    capacity = (used + length) * 2;
    buffer = realloc(buffer, capacity);
    if (!buffer) { perror("aws-forkclient"); exit(255); }
  }
  memcpy(buffer + used, text, length);
  used += length;
}

/* The installed CLI, with the endpoint, in this process: what the wrapper does without a server. */
static void run_directly(int argc, char **argv) {
  char **args = calloc((size_t)argc + 3, sizeof(char *));
  if (!args) { perror("aws-forkclient"); exit(255); }
  args[0] = AWS_CLI;
  args[1] = "--endpoint-url";
  args[2] = ENDPOINT_URL;
  for (int i = 1; i < argc; i++) args[i + 2] = argv[i];
  execv(AWS_CLI, args);
  perror("aws-forkclient: " AWS_CLI);
  exit(255);
}

int main(int argc, char **argv) {
  int connection = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  strncpy(address.sun_path, SOCKET_PATH, sizeof(address.sun_path) - 1);
  if (connection < 0 || connect(connection, (struct sockaddr *)&address, sizeof(address)) != 0) run_directly(argc, argv);

  /* A closed standard stream cannot be passed: the CLI gets /dev/null there, as a fresh process would read EOF. */
  for (int fd = 0; fd < 3; fd++)
    if (fcntl(fd, F_GETFD) < 0 && errno == EBADF) open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);

  char cwd[8192];
  if (!getcwd(cwd, sizeof(cwd))) { perror("aws-forkclient: getcwd"); return 255; }
  char count[32];
  snprintf(count, sizeof(count), "%d", argc + 1);
  used = 4;
  capacity = 1 << 16;
  buffer = malloc(capacity);
  if (!buffer) { perror("aws-forkclient"); return 255; }
  append(cwd);
  append(count);
  append("--endpoint-url");
  append(ENDPOINT_URL);
  for (int i = 1; i < argc; i++) append(argv[i]);
  for (char **variable = environ; *variable; variable++) append(*variable);
  uint32_t body = (uint32_t)(used - 4);
  buffer[0] = (char)(body >> 24); buffer[1] = (char)(body >> 16); buffer[2] = (char)(body >> 8); buffer[3] = (char)body;

  int fds[3] = { 0, 1, 2 };
  char control[CMSG_SPACE(sizeof(fds))];
  memset(control, 0, sizeof(control));
  struct iovec first = { .iov_base = buffer, .iov_len = used };
  struct msghdr message = { .msg_iov = &first, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof(control) };
  struct cmsghdr *header = CMSG_FIRSTHDR(&message);
  header->cmsg_level = SOL_SOCKET;
  header->cmsg_type = SCM_RIGHTS;
  header->cmsg_len = CMSG_LEN(sizeof(fds));
  memcpy(CMSG_DATA(header), fds, sizeof(fds));
  ssize_t sent = sendmsg(connection, &message, 0);
  if (sent <= 0) { perror("aws-forkclient: sendmsg"); return 255; }
  for (size_t done = (size_t)sent; done < used;) {
    ssize_t more = write(connection, buffer + done, used - done);
    if (more <= 0) { perror("aws-forkclient: write"); return 255; }
    done += (size_t)more;
  }

  unsigned char reply[4];
  for (size_t got = 0; got < sizeof(reply);) {
    ssize_t more = read(connection, reply + got, sizeof(reply) - got);
    if (more < 0 && errno == EINTR) continue;
    if (more <= 0) {
      fputs("aws-forkclient: the AWS CLI fork server closed the connection without an exit code\n", stderr);
      return 255;
    }
    got += (size_t)more;
  }
  return (int32_t)((uint32_t)reply[0] << 24 | (uint32_t)reply[1] << 16 | (uint32_t)reply[2] << 8 | reply[3]);
}
