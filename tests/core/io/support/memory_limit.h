#pragma once
// Runs a reader in a forked child whose address space may grow by only `headroom` bytes,
// so a test can show that a hostile file is refused without allocating what it claims:
// a reader that trusts the file runs out of memory there (std::bad_alloc) instead of
// answering with the expected error.
#include <QString>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <exception>
#include <fstream>
#include <functional>
#include <new>
#include <string>

namespace scns::test {

// The child's outcome: the exception's what(), "no error", "out of memory: ...", or how
// it died.
inline QString errorUnderMemoryLimit(const std::function<void()>& f, std::size_t headroom = std::size_t(256) << 20)
{
    int fds[2];
    if (pipe(fds) != 0)
        return QStringLiteral("pipe failed");
    std::fflush(nullptr);
    const pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        std::string result;
        std::size_t pages = 0;
        std::ifstream("/proc/self/statm") >> pages;
        const rlim_t limit = static_cast<rlim_t>(pages) * static_cast<rlim_t>(sysconf(_SC_PAGESIZE)) + headroom;
        const rlimit rl{limit, limit};
        setrlimit(RLIMIT_AS, &rl);
        try {
            f();
            result = "no error";
        } catch (const std::bad_alloc& e) {
            result = std::string("out of memory: ") + e.what();
        } catch (const std::exception& e) {
            result = e.what();
        } catch (...) {
            result = "unknown exception";
        }
        const ssize_t written = write(fds[1], result.data(), result.size());
        (void)written;
        _exit(0);
    }
    close(fds[1]);
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) > 0)
        out.append(buf, static_cast<std::size_t>(n));
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status))
        return QStringLiteral("child died with signal %1").arg(WIFSIGNALED(status) ? WTERMSIG(status) : -1);
    return QString::fromStdString(out);
}

}  // namespace scns::test
