// peak_rss.cpp — the small intermediary the memory tests measure through:
//
//   airlog_peak_rss REPORT STDERR PROGRAM [ARGS…]
//
// runs PROGRAM with stdout to /dev/null and stderr to the file STDERR, and writes
// "<max RSS KiB> <exit code>" to REPORT. Why a process of its own: Linux keeps, in a child's
// ru_maxrss, the high-water mark of the memory image it was forked from, even across exec (fork +
// exec of /bin/true from a test holding 80 MB reports 82 MB). Forked from this small program, the
// measured process starts from a few hundred KiB, so the figure is the program's own.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s REPORT STDERR PROGRAM [ARGS...]\n", argv[0]);
    return 2;
  }
  const pid_t pid = fork();
  if (pid < 0) return 1;
  if (pid == 0) {
    const int out = open("/dev/null", O_WRONLY);
    const int err = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out < 0 || err < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) _exit(126);
    execv(argv[3], argv + 3);
    _exit(127);
  }
  int status = 0;
  struct rusage ru {};
  if (wait4(pid, &status, 0, &ru) != pid) return 1;
  std::FILE* report = std::fopen(argv[1], "w");
  if (!report) return 1;
  std::fprintf(report, "%ld %d\n", ru.ru_maxrss, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  return std::fclose(report) == 0 ? 0 : 1;
}
