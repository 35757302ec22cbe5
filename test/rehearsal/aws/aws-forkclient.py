"""
The `aws` command of the rehearsal when the fork server runs (see aws-forkserver.py) and no C compiler
built aws-forkclient.c: hands this process's argv, environment, working directory and standard streams
to the server and exits with the CLI's exit code. Run with `python3 -I -S`, so it starts in about 30 ms
(the compiled client in about one). The request is aws-forkclient.c's.

    aws-forkclient.py SOCKET ARGS...
"""
import array
import os
import socket
import sys


def main():
    path, argv = sys.argv[1], sys.argv[2:]
    fields = [os.getcwd(), str(len(argv))] + argv + [f'{name}={value}' for name, value in os.environ.items()]
    body = b''.join(os.fsencode(field) + b'\0' for field in fields)
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
