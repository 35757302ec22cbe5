"""
The `aws` command of the rehearsal when the fork server runs (see aws-forkserver.py): hands this
process's argv, environment, working directory and standard streams to the server and exits with the
CLI's exit code. Run with `python3 -I -S`, so it starts in milliseconds.

    aws-forkclient.py SOCKET ARGS...
"""
import array
import json
import os
import socket
import sys


def main():
    path, argv = sys.argv[1], sys.argv[2:]
    body = json.dumps({'argv': argv, 'env': dict(os.environ), 'cwd': os.getcwd()}).encode()
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    connection.connect(path)
    fds = array.array('i', [0, 1, 2])
    connection.sendmsg([len(body).to_bytes(4, 'big') + body], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, fds.tobytes())])
    reply = b''
    while len(reply) < 4:
        more = connection.recv(4 - len(reply))
        if not more:
            sys.stderr.write('aws-forkclient: the AWS CLI fork server closed the connection without an exit code\n')
            return 255
        reply += more
    return int.from_bytes(reply, 'big', signed=True)


if __name__ == '__main__':
    sys.exit(main())
