# BenchPlatform SandboxRunner jail bootstrap and zygote.
#
# Run by the runner as host root with `/usr/bin/python3 -I -S -c <this file> <config json>`.
# Process layout:
#   launcher (host namespaces, puts itself in the slot's cgroups, writes the child's uid/gid map)
#     └─ keeper (new user, mount, net, ipc, uts, pid, cgroup namespaces; in-namespace root mapped to an
#                unprivileged host uid)
#          └─ zygote (PID 1 of the new PID namespace: builds a read-only root, pivots into it, imports the
#                     standard library, then serves runs one at a time)
#               └─ run child (one per run, several prepared ahead: PID 1 of its own PID namespace, its own mount
#                             namespace with a size-capped tmpfs on /tmp and its own IPC namespace, rlimits, no
#                             capabilities, no_new_privs, seccomp; warms its interpreter up, waits for its request,
#                             executes the block and is killed; the kernel then kills every process of its PID
#                             namespace, so nothing of a run outlives it and no run can see or signal another)
# Protocol on the launcher's stdin/stdout (inherited by the zygote), big-endian u32 length-prefixed frames:
#   request:  [header json][payload json]     header: limits; payload: {"code","entrypoint","inputs"}
#   response: [meta json][result json][stdout bytes][stderr bytes]
# The zygote never parses the payload (only the run child does) and zeroes its buffers after each run,
# so one run's data is not left readable in the memory the next run child inherits.

import collections
import ctypes
import gc
import json
import os
import resource
import select
import signal
import socket
import struct
import sys
import time

CLONE_NEWNS = 0x00020000
CLONE_NEWCGROUP = 0x02000000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
CLONE_NEWTIME = 0x00000080
NAMESPACE_FLAGS = (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER
                   | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWTIME)

MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_NOATIME = 1024
MS_NODIRATIME = 2048
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
MS_RELATIME = 1 << 21
MNT_DETACH = 2

PR_SET_PDEATHSIG = 1
PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
PR_CAPBSET_DROP = 24
PR_SET_SECUREBITS = 28
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
SECCOMP_MODE_FILTER = 2
# SECBIT_NOROOT | _LOCKED | SECBIT_NO_SETUID_FIXUP | _LOCKED | SECBIT_KEEP_CAPS_LOCKED | SECBIT_NO_CAP_AMBIENT_RAISE | _LOCKED
SECURE_BITS = 0x01 | 0x02 | 0x04 | 0x08 | 0x20 | 0x40 | 0x80

libc = ctypes.CDLL(None, use_errno=True)
libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
libc.syscall.restype = ctypes.c_long
libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]


def check(result, what):
    if result < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")
    return result


def mount(source, target, fstype, flags, data=None):
    check(libc.mount(source.encode() if source else None, target.encode(),
                     fstype.encode() if fstype else None, flags, data.encode() if data else None),
          f"mount {target}")


def prctl(option, a=0, b=0, c=0, d=0):
    return check(libc.prctl(option, a, b, c, d), f"prctl {option}")


# ---------------------------------------------------------------- framing

def read_exact_into(fd, view):
    got = 0
    while got < len(view):
        n = os.readv(fd, [view[got:]])
        if n == 0:
            raise EOFError("runner closed the pipe")
        got += n


def read_u32(fd):
    b = bytearray(4)
    read_exact_into(fd, memoryview(b))
    return struct.unpack(">I", b)[0]


def write_all(fd, data):
    view = memoryview(data)
    while len(view):
        n = os.write(fd, view)
        view = view[n:]


def write_frame(fd, data):
    write_all(fd, struct.pack(">I", len(data)))
    if len(data):
        write_all(fd, data)


def zero(buf, n):
    if n:
        ctypes.memset((ctypes.c_char * n).from_buffer(buf), 0, n)


# ---------------------------------------------------------------- launcher: namespaces and uid map

def launcher(config):
    for path in config.get("cgroup_procs", []):
        with open(path, "w") as f:
            f.write(str(os.getpid()))
    ready_r, ready_w = os.pipe()
    mapped_r, mapped_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(ready_r)
        os.close(mapped_w)
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        flags = (CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWPID
                 | CLONE_NEWCGROUP)
        try:
            check(libc.unshare(flags), "unshare")
        except OSError as e:
            os.write(2, f"jail: {e}\n".encode())
            os._exit(71)
        os.write(ready_w, b"1")
        if os.read(mapped_r, 1) != b"1":
            os._exit(72)
        keeper(config)
        os._exit(0)
    os.close(ready_w)
    os.close(mapped_r)
    if os.read(ready_r, 1) != b"1":
        _, status = os.waitpid(pid, 0)
        os._exit(os.waitstatus_to_exitcode(status) or 70)
    outer = config["host_uid"]
    with open(f"/proc/{pid}/setgroups", "w") as f:
        f.write("deny")
    with open(f"/proc/{pid}/uid_map", "w") as f:
        f.write(f"0 {outer} 1")
    with open(f"/proc/{pid}/gid_map", "w") as f:
        f.write(f"0 {config['host_gid']} 1")
    os.write(mapped_w, b"1")
    # Keep stdin/stdout open only in the jail: the launcher itself just waits.
    os.close(0)
    os.close(1)
    _, status = os.waitpid(pid, 0)
    os._exit(os.waitstatus_to_exitcode(status) & 0xFF)


def keeper(config):
    os.setresgid(0, 0, 0)
    os.setresuid(0, 0, 0)
    pid = os.fork()  # the first child in the new PID namespace is its PID 1
    if pid == 0:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        zygote(config)
        os._exit(0)
    os.close(0)
    os.close(1)
    _, status = os.waitpid(pid, 0)
    os._exit(os.waitstatus_to_exitcode(status) & 0xFF)


# ---------------------------------------------------------------- zygote: root filesystem

def bind(source, target, writable=False):
    if os.path.isdir(source):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        open(target, "a").close()
    mount(source, target, None, MS_BIND | MS_REC)
    if writable:
        return
    # A read-only remount must keep the flags the kernel locked on the source mount.
    st = os.statvfs(target)
    flags = MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID
    for bit, ms in ((os.ST_NODEV, MS_NODEV), (os.ST_NOEXEC, MS_NOEXEC), (os.ST_NOATIME, MS_NOATIME),
                    (os.ST_NODIRATIME, MS_NODIRATIME), (os.ST_RELATIME, MS_RELATIME)):
        if st.f_flag & bit:
            flags |= ms
    mount(None, target, None, flags)


def interpreter_paths():
    """The interpreter, its standard library and the folders of every shared library it has loaded."""
    import sysconfig
    paths = [os.path.realpath(sys.executable), sysconfig.get_paths()["stdlib"]]
    folders = set()
    with open("/proc/self/maps") as f:
        for line in f:
            parts = line.split(None, 5)
            if len(parts) == 6 and parts[5].startswith("/") and ".so" in parts[5]:
                folders.add(os.path.dirname(os.path.realpath(parts[5].strip())))
    for folder in sorted(folders):
        if not any(folder == p or folder.startswith(p + "/") for p in paths):
            paths.append(folder)
    return paths


def build_root(config, features):
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    root = "/tmp"
    mount("jailroot", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
    bound = []
    for path in sorted(set(interpreter_paths() + config["ro_paths"] + config["python_paths"]), key=len):
        if os.path.exists(path) and not any(path == b or path.startswith(b + "/") for b in bound):
            bind(path, root + path)
            bound.append(path)
    for name in ("null", "zero", "full", "random", "urandom"):
        bind("/dev/" + name, f"{root}/dev/{name}", writable=True)
    for link, target in (("lib", "usr/lib"), ("lib64", "usr/lib64"), ("bin", "usr/bin")):
        if os.path.islink("/" + link) and not os.path.exists(f"{root}/{link}"):
            os.symlink(target, f"{root}/{link}")
    os.makedirs(root + "/tmp", mode=0o1777, exist_ok=True)
    os.makedirs(root + "/oldroot", exist_ok=True)
    os.chdir(root)
    check(libc.syscall(155, b".", b"oldroot"), "pivot_root")  # pivot_root(2), x86_64 and aarch64 differ
    os.chdir("/")
    check(libc.umount2(b"/oldroot", MNT_DETACH), "umount oldroot")
    os.rmdir("/oldroot")
    mount(None, "/", None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    features.append("pivot_root")
    features.append("readonly_root")


# ---------------------------------------------------------------- run child: limits and filters

SYSCALLS_X86_64 = {
    "ptrace": 101, "mount": 165, "umount2": 166, "pivot_root": 155, "chroot": 161, "swapon": 167,
    "swapoff": 168, "reboot": 169, "sethostname": 170, "setdomainname": 171, "init_module": 175,
    "delete_module": 176, "acct": 163, "settimeofday": 164, "keyctl": 250, "add_key": 248,
    "request_key": 249, "unshare": 272, "setns": 308, "bpf": 321, "io_uring_setup": 425,
    "io_uring_enter": 426, "io_uring_register": 427, "perf_event_open": 298, "kexec_load": 246,
    "kexec_file_load": 320, "finit_module": 313, "process_vm_readv": 310, "process_vm_writev": 311,
    "userfaultfd": 323, "open_by_handle_at": 304, "name_to_handle_at": 303, "clock_settime": 227,
    "clock_adjtime": 305, "adjtimex": 159, "open_tree": 428, "move_mount": 429, "fsopen": 430,
    "fsconfig": 431, "fsmount": 432, "fspick": 433, "mount_setattr": 442, "syslog": 103,
    "lookup_dcookie": 212, "quotactl": 179, "vhangup": 153, "iopl": 172, "ioperm": 173,
    "fanotify_init": 300, "pidfd_getfd": 438, "process_madvise": 440, "personality": 135,
}
CLONE = 56
CLONE3 = 435
AUDIT_ARCH_X86_64 = 0xC000003E
EPERM = 1
ENOSYS = 38


class SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint)]


class SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(SockFilter))]


def build_seccomp():
    ld_abs, jeq, jge, jset, ret = 0x20, 0x15, 0x35, 0x45, 0x06
    allow, errno, kill = 0x7FFF0000, 0x00050000, 0x80000000
    prog = [
        (ld_abs, 0, 0, 4), (jeq, 1, 0, AUDIT_ARCH_X86_64), (ret, 0, 0, kill),
        (ld_abs, 0, 0, 0), (jge, 0, 1, 0x40000000), (ret, 0, 0, errno | EPERM),
    ]
    for nr in SYSCALLS_X86_64.values():
        prog += [(jeq, 0, 1, nr), (ret, 0, 0, errno | EPERM)]
    prog += [(jeq, 0, 1, CLONE3), (ret, 0, 0, errno | ENOSYS)]  # glibc falls back to clone(2)
    prog += [
        (jeq, 0, 3, CLONE), (ld_abs, 0, 0, 16), (jset, 0, 1, NAMESPACE_FLAGS), (ret, 0, 0, errno | EPERM),
        (ret, 0, 0, allow),
    ]
    filters = (SockFilter * len(prog))(*[SockFilter(*p) for p in prog])
    return filters, SockFprog(len(prog), filters)


class CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def lock_capabilities():
    """Once, in the zygote: empty bounding and ambient sets and locked securebits, which every run child inherits.

    They only govern what execve and setuid could grant, which the zygote never does, so it keeps the effective
    capabilities it needs (mount, setns, unshare) until it forks; each run child then empties its own three sets.
    """
    prctl(PR_SET_SECUREBITS, SECURE_BITS)
    for cap in range(64):
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 and ctypes.get_errno() == 22:
            break
    libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)


CAP_HEADER = CapHeader(0x20080522, 0)
CAP_NONE = (CapData * 2)()


def drop_capabilities():
    check(libc.capset(ctypes.byref(CAP_HEADER), CAP_NONE), "capset")


def child_prepare(config, features):
    """Everything a run child does before it knows the request: new mount namespace and tmpfs, no privileges."""
    os.setsid()
    check(libc.unshare(CLONE_NEWNS | CLONE_NEWIPC), "unshare mount and IPC namespaces")
    mount("blocktmp", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV,
          f"size={config['tmpfs_bytes']},nr_inodes={config['max_files']},mode=1777")
    os.chdir("/tmp")
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (config["tmpfs_bytes"], config["tmpfs_bytes"]))
    drop_capabilities()
    prctl(PR_SET_NO_NEW_PRIVS, 1)
    if "seccomp" in features:
        prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(SECCOMP_PROG))


WARM_UP_PAYLOAD = (b'{"code": "import math\\ndef run(inputs):\\n    x = inputs[\\"a\\"] + len(inputs[\\"b\\"])\\n'
                   b'    return {\\"y\\": [x, 1.5, \\"z\\", None, True, {\\"k\\": math.sqrt(4.0)}]}", '
                   b'"entrypoint": "run", "inputs": {"a": 1, "b": [1, 2.5, "s", null, false, {"c": "d"}]}}')


def warm_up():
    """Runs a sample block the way a request runs, before the request exists.

    Every page a run writes is copied from the zygote on its first write (copy-on-write), and page faults are the
    bulk of a run's cost; taking them here, while the child waits for its request, keeps them off the request path.
    Nothing of it is left for the block: its namespace is dropped, and it ran under the same limits as the block.
    """
    request = json.loads(bytearray(WARM_UP_PAYLOAD))
    namespace = {"__name__": "__block__", "__builtins__": __builtins__}
    exec(compile(request["code"], "<block>", "exec"), namespace)
    outputs = namespace[request["entrypoint"]](request["inputs"])
    json.dumps({"status": "ok", "outputs": outputs}, ensure_ascii=False, allow_nan=False).encode("utf-8")
    json.loads(bytearray(b'{"timeout_ms": 1, "rlimits": {"cpu_s": 1}}'))


def child_limit(header):
    limits = header["rlimits"]
    resource.setrlimit(resource.RLIMIT_CPU, (limits["cpu_s"], limits["cpu_s"] + 1))
    resource.setrlimit(resource.RLIMIT_NOFILE, (limits["nofile"], limits["nofile"]))
    resource.setrlimit(resource.RLIMIT_NPROC, (limits["nproc"], limits["nproc"]))
    resource.setrlimit(resource.RLIMIT_AS, (limits["memory_bytes"] + VM_BASE, limits["memory_bytes"] + VM_BASE))


def child_main(config, features):
    # fds: 0 request pipe, 1 stdout pipe, 2 stderr pipe, 3 result pipe; everything else is closed.
    me = os.getpid()
    output_cap = [1 << 20]

    def result(obj):
        if os.getpid() != me:  # a process the block forked does not speak for the run
            os._exit(0)
        try:
            data = json.dumps(obj, ensure_ascii=False, allow_nan=False).encode("utf-8")
        except (TypeError, ValueError, RecursionError) as e:
            data = json.dumps({"status": "error", "error": {
                "type": "OutputNotSerializable",
                "message": f"The block returned a value that is not JSON-serializable: {e}"[:4096]}}).encode()
        except MemoryError:
            data = b'{"status": "memory_limit", "error": {"type": "MemoryError", ' \
                   b'"message": "The block ran out of its memory limit while its outputs were serialized."}}'
        if len(data) > output_cap[0]:
            data = json.dumps({"status": "output_limit", "error": {
                "type": "OutputTooLarge",
                "message": f"The outputs are {len(data)} bytes of JSON; the limit is {output_cap[0]}."}}).encode()
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except BaseException:
            pass
        write_all(3, data)
        os.close(3)
        os._exit(0)

    try:
        child_prepare(config, features)
    except Exception as e:  # a jail that cannot be built must not run the code
        result({"status": "error", "error": {"type": "JailSetupFailed", "message": str(e)}})
    try:
        warm_up()
    except Exception:
        pass  # only a cost saving: the run itself still works
    try:
        header = json.loads(read_frame(0))
        payload = read_frame(0)
    except EOFError:
        os._exit(0)
    null = os.open("/dev/null", os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    output_cap[0] = header["output_cap"]
    try:
        child_limit(header)
        request = json.loads(payload)
        del payload
        namespace = {"__name__": "__block__", "__builtins__": __builtins__}
        code = compile(request["code"], "<block>", "exec")
        exec(code, namespace)
        entry = namespace.get(request["entrypoint"])
        if not callable(entry):
            result({"status": "error", "error": {
                "type": "EntrypointNotFound",
                "message": f"The code defines no function named '{request['entrypoint']}'."}})
        outputs = entry(request["inputs"])
    except MemoryError:
        result({"status": "memory_limit", "error": {"type": "MemoryError",
                                                    "message": "The block ran out of its memory limit."}})
    except BaseException as e:  # SystemExit and KeyboardInterrupt included: the block's failure is a result
        try:
            import traceback
            traceback.print_exc(limit=-20)
        except BaseException:
            pass
        result({"status": "error", "error": {"type": type(e).__name__, "message": str(e)[:4096]}})
    result({"status": "ok", "outputs": outputs})


def read_frame(fd):
    buf = bytearray(read_u32(fd))
    read_exact_into(fd, memoryview(buf))
    return buf


# ---------------------------------------------------------------- zygote: serve runs

SECCOMP_FILTERS = None
SECCOMP_PROG = None
PID_NS_FD = -1


def preload(config):
    os.environ.clear()
    os.environ.update({"PATH": "/usr/bin", "HOME": "/tmp", "TMPDIR": "/tmp", "LANG": "C.UTF-8",
                       "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"})
    import array, base64, bisect, collections, copy, dataclasses, datetime, decimal, enum  # noqa: F401
    import fractions, functools, hashlib, heapq, io, itertools, math, operator, random, re  # noqa: F401
    import statistics, string, struct, textwrap, traceback, typing, unicodedata, uuid, zlib  # noqa: F401
    import json.decoder, json.encoder  # noqa: F401
    loaded = []
    for extra in config["python_paths"]:
        if os.path.isdir(extra) and extra not in sys.path:
            sys.path.append(extra)
    for name in config["preload_modules"]:
        try:
            __import__(name)
            loaded.append(name)
        except Exception:
            pass
    return loaded


VM_BASE = 0


def vm_size():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def fork_run_child(config, features):
    """Forks a run child (PID 1 of a new PID namespace); returns its pid and the parent ends of its four pipes."""
    pipes = {name: os.pipe() for name in ("stdout", "stderr", "result")}
    request_r, request_w = os.pipe()
    # The child is PID 1 of a new PID namespace: when it dies the kernel kills every process it left.
    check(libc.setns(PID_NS_FD, CLONE_NEWPID), "setns pid")  # only the jail's own PID namespace may nest one
    check(libc.unshare(CLONE_NEWPID), "unshare pid")
    pid = os.fork()
    if pid == 0:
        try:
            os.dup2(request_r, 0)
            os.dup2(pipes["stdout"][1], 1)
            os.dup2(pipes["stderr"][1], 2)
            os.dup2(pipes["result"][1], 3)
            os.closerange(4, 65536)
            child_main(config, features)
        finally:
            os._exit(70)
    check(libc.setns(PID_NS_FD, CLONE_NEWPID), "setns pid")
    os.close(request_r)
    for _, w in pipes.values():
        os.close(w)
    return pid, [request_w, pipes["stdout"][0], pipes["stderr"][0], pipes["result"][0]]


def template(config, features, sock):
    """The fork source of every run child: it only forks and reaps, so few of its pages are written per fork.

    Every page a process writes after a fork is copied first (copy-on-write), in the writer, on a page fault, and
    on virtual machines a page fault costs tens of microseconds. The zygote's request handling writes a few hundred
    pages per run; done in the process that forks, each of them was copied again after every fork. The template
    writes only what its small loop touches, and it never holds a request, so no run child can inherit one.
    Messages to the zygote (SOCK_SEQPACKET): b"n" + pid with the child's pidfd and pipe ends, b"x" pid status.
    """
    children = {}  # pidfd -> pid
    gc.collect()
    gc.freeze()  # the template's objects stay out of the run children's collections
    while True:
        ready, _, _ = select.select([sock, *children], [], [])
        for fd in ready:
            if fd == sock:
                if not sock.recv(16):
                    os._exit(0)  # the zygote is gone
                pid, fds = fork_run_child(config, features)
                pidfd = os.pidfd_open(pid)
                socket.send_fds(sock, [b"n%d" % pid], [pidfd, *fds])
                for f in fds:
                    os.close(f)
                children[pidfd] = pid
            else:
                pid = children.pop(fd)
                os.close(fd)
                _, status = os.waitpid(pid, 0)
                sock.send(b"x%d %d" % (pid, status))


class Child:
    """A run child as the zygote holds it: its pidfd and the zygote's ends of its pipes."""

    __slots__ = ("pid", "pidfd", "request", "fds")

    def __init__(self, pid, fds):
        self.pid = pid
        self.pidfd, self.request = fds[0], fds[1]
        self.fds = {fds[2]: "stdout", fds[3]: "stderr", fds[4]: "result"}


class Children:
    """The zygote's side of the template: run children prepared for the next runs, asked for while it is idle.

    A finished run's child is killed without waiting: the kernel tears down its address space and its mount, IPC
    and PID namespaces (killing whatever it left) while the next run already goes on in another prepared child,
    which cannot see or signal it; the template reaps it.
    """

    def __init__(self, config, features, target):
        self.target = target
        self.ready = collections.deque()
        self.asked = 0
        self.statuses = {}  # pid -> wait status, kept only for pids the zygote waits on
        self.waiting = set()
        zygote_end, template_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        pid = os.fork()
        if pid == 0:
            zygote_end.close()
            try:
                template(config, features, template_end)
            finally:
                os._exit(70)
        template_end.close()
        self.sock = zygote_end
        self.template_pid = pid

    def ask(self):
        if len(self.ready) + self.asked < self.target:
            self.sock.send(b"f")
            self.asked += 1

    def receive(self):
        """Handles one message of the template (blocks until there is one)."""
        message, fds, _, _ = socket.recv_fds(self.sock, 64, 5)
        if not message:
            raise EOFError("the template is gone")
        if message[:1] == b"n":
            self.asked -= 1
            self.ready.append(Child(int(message[1:]), fds))
        else:
            pid, status = (int(v) for v in message[1:].split())
            if pid in self.waiting:
                self.statuses[pid] = status

    def take(self):
        while not self.ready:
            if self.asked == 0:
                self.sock.send(b"f")
                self.asked += 1
            self.receive()
        return self.ready.popleft()

    def discard(self, child):
        """Kills a finished run's child (and so everything in its PID namespace); the template reaps it."""
        try:
            signal.pidfd_send_signal(child.pidfd, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.close(child.pidfd)

    def status_of(self, child):
        """Kills the child if it still runs and waits for its wait status from the template."""
        self.waiting.add(child.pid)
        self.discard(child)
        while child.pid not in self.statuses:
            self.receive()
        self.waiting.discard(child.pid)
        return self.statuses.pop(child.pid)

    def wait_for_request(self, proto_in):
        while True:
            self.ask()
            ready, _, _ = select.select([proto_in, self.sock], [], [])
            if self.sock in ready:
                self.receive()
            if proto_in in ready:
                return


def zygote(config):
    global SECCOMP_FILTERS, SECCOMP_PROG, VM_BASE
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # as PID 1, signals without handlers are not delivered
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    proto_in = os.dup(0)
    proto_out = os.dup(1)
    null = os.open("/dev/null", os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    os.close(null)
    features = ["user_ns", "pid_ns", "mount_ns", "net_ns", "ipc_ns", "uts_ns", "cgroup_ns"]
    modules = preload(config)
    VM_BASE = vm_size()
    try:
        socket.sethostname("sandbox")
    except OSError:
        pass
    global PID_NS_FD
    PID_NS_FD = os.open("/proc/self/ns/pid", os.O_RDONLY | os.O_CLOEXEC)
    build_root(config, features)
    features += ["run_pid_ns", "run_ipc_ns", "tmpfs", "rlimits", "capabilities_dropped", "no_new_privs"]
    if os.uname().machine == "x86_64":
        SECCOMP_FILTERS, SECCOMP_PROG = build_seccomp()
        features.append("seccomp")
    lock_capabilities()
    target = max(1, config.get("prepared", 2))
    pool = Children(config, features, target)
    os.close(PID_NS_FD)
    first = pool.take()  # the jail is ready once a run child is
    pool.ready.appendleft(first)
    hello = json.dumps({"ready": True, "features": features, "modules": modules,
                        "python": sys.version.split()[0]}).encode()
    write_frame(proto_out, hello)

    payload = bytearray(1 << 16)
    bufs = {}
    while True:
        # Idle: ask the template for the next run children, but never ahead of a waiting request.
        try:
            pool.wait_for_request(proto_in)
            header_len = read_u32(proto_in)
        except EOFError:
            os._exit(0)
        header_raw = bytearray(header_len)
        read_exact_into(proto_in, memoryview(header_raw))
        header = json.loads(header_raw)
        n = read_u32(proto_in)
        if n > len(payload):
            zero(payload, len(payload))
            payload = bytearray(max(n, 2 * len(payload)))
        read_exact_into(proto_in, memoryview(payload)[:n])
        for name, cap in (("result", header["output_cap"]), ("stdout", header["stdout_cap"]),
                          ("stderr", header["stderr_cap"])):
            if name not in bufs or len(bufs[name]) < cap + 1:
                bufs[name] = bytearray(cap + 1)
        meta = serve_one(pool.take(), header_raw, header, memoryview(payload)[:n], bufs, pool)
        zero(payload, n)
        write_frame(proto_out, json.dumps(meta).encode())
        for name in ("result", "stdout", "stderr"):
            write_frame(proto_out, memoryview(bufs[name])[:meta["sizes"][name]])
            zero(bufs[name], meta["sizes"][name])


def serve_one(child, header_raw, header, payload, bufs, pool):
    started = time.monotonic()
    pidfd, fds = child.pidfd, child.fds
    sizes = {name: 0 for name in fds.values()}
    caps = {"result": header["output_cap"], "stdout": header["stdout_cap"], "stderr": header["stderr_cap"]}
    deadline = started + header["timeout_ms"] / 1000.0
    timed_out = False
    limit = None
    exited = False
    fds_done = False
    try:
        write_frame(child.request, header_raw)
        write_frame(child.request, payload)
    except OSError:
        pass  # the child died before its request: its exit status tells why
    os.close(child.request)
    while fds and limit is None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            timed_out = True
            break
        watch = list(fds) + ([] if exited else [pidfd])
        ready, _, _ = select.select(watch, [], [], remaining)
        for fd in ready:
            if fd == pidfd:
                exited = True
                # What the child wrote before it exited is in the pipes now; processes it forked may hold
                # the pipes open for ever, so take what is there and stop.
                drain(fds, bufs, sizes, caps)
                fds_done = True
                break
            name = fds[fd]
            buf = bufs[name]
            got = os.readv(fd, [memoryview(buf)[sizes[name]:caps[name] + 1]])
            if got == 0:
                del fds[fd]
                os.close(fd)
                if name == "result" and sizes["result"] > 0:
                    # The child flushed stdout and stderr before writing its result: take what is in the pipes.
                    drain(fds, bufs, sizes, caps)
                    fds_done = True
                continue
            sizes[name] += got
            if sizes[name] > caps[name]:
                sizes[name] = caps[name]
                limit = name
                break
        if fds_done:
            # The run child is gone or its result is in; stop waiting for pipes its own children hold.
            break
    if not (exited or timed_out) and limit is None and sizes["result"] == 0:
        # Every pipe reached its end without a result: the child ended (os._exit, a crash) before its pidfd was
        # seen ready. Its wait status is the answer, not "exit code 0".
        exited = True
    elapsed_ms = (time.monotonic() - started) * 1000.0
    meta = {"timed_out": timed_out, "limit": limit, "signal": 0, "exit_code": 0,
            "duration_ms": round(elapsed_ms, 3), "sizes": sizes}
    for fd in fds:
        os.close(fd)
    if exited or timed_out or limit is not None:
        # The run ended without its result, or is stopped now: its wait status is part of the answer.
        status = pool.status_of(child)
        meta["signal"] = os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0
        meta["exit_code"] = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
    else:
        pool.discard(child)  # the result is complete: no need to wait for the child's end
    return meta


def drain(fds, bufs, sizes, caps):
    for fd, name in fds.items():
        os.set_blocking(fd, False)
        try:
            while sizes[name] < caps[name]:
                got = os.readv(fd, [memoryview(bufs[name])[sizes[name]:caps[name]]])
                if got == 0:
                    break
                sizes[name] += got
        except BlockingIOError:
            pass


if __name__ == "__main__":
    launcher(json.loads(sys.argv[1]))
