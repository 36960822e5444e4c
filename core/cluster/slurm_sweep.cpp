#include "cluster/slurm_sweep.h"

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/errors.h"
#include "store/run_store.h"

namespace scns {

namespace {

// A word for bash: single-quoted, with single quotes inside spelled '\''.
std::string quoted(const std::string& text)
{
    std::string out = "'";
    for (char c : text)
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

std::string readFile(const std::filesystem::path& file)
{
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

void writeFile(const std::filesystem::path& file, const std::string& text)
{
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out)
        throw ConfigError(
            {{"--dir", file.parent_path().string(), "a folder this user can write (" + file.string() + ")"}});
}

}  // namespace

std::string sbatchScript(const SlurmSweep& sweep)
{
    const SlurmOptions& o = sweep.options;
    std::int64_t ranks = 1;
    for (const RunConfig& c : sweep.runs)
        ranks = std::max(ranks, c.distributed.processes);
    std::ostringstream s;
    s << "#!/bin/bash\n";
    s << "#SBATCH --job-name=" << o.jobName << "\n";
    s << "#SBATCH --array=0-" << (sweep.runs.empty() ? 0 : sweep.runs.size() - 1) << "\n";
    s << "#SBATCH --output=" << (sweep.dir / "logs" / "task-%a.out").string() << "\n";
    s << "#SBATCH --open-mode=append\n";
    s << "#SBATCH --requeue\n";
    if (!o.partition.empty())
        s << "#SBATCH --partition=" << o.partition << "\n";
    if (!o.time.empty())
        s << "#SBATCH --time=" << o.time << "\n";
    if (!o.memory.empty())
        s << "#SBATCH --mem=" << o.memory << "\n";
    if (o.cpusPerTask > 0)
        s << "#SBATCH --cpus-per-task=" << o.cpusPerTask << "\n";
    if (o.gpusPerTask > 0)
        s << "#SBATCH --gpus-per-task=" << o.gpusPerTask << "\n";
    if (ranks > 1)
        s << "#SBATCH --ntasks=" << ranks << "\n#SBATCH --nodes=1\n";
    if (!o.afterJob.empty())
        s << "#SBATCH --dependency=afterok:" << o.afterJob << "\n";
    for (const std::string& line : o.extraLines)
        s << (line.rfind("#SBATCH", 0) == 0 ? line : "#SBATCH " + line) << "\n";
    s << "#\n"
         "# Written by `scns slurm submit` (docs/cluster.md). Task i trains the run of task-<i>.json into a\n"
         "# store of its own, task-<i>.sqlite; a requeued task (time limit, preemption) resumes it from\n"
         "# its newest checkpoint. Merge the stores afterwards: scns merge task-*.sqlite --into DB\n"
         "set -u\n";
    s << "dir=" << quoted(sweep.dir.string()) << "\n";
    s << "scns=" << quoted(o.scnsProgram) << "\n";
    s << "i=$SLURM_ARRAY_TASK_ID\n"
         "db=\"$dir/task-$i.sqlite\"\n"
         "launch=()\n";
    bool anyRanks = false;
    std::ostringstream cases;
    for (std::size_t i = 0; i < sweep.runs.size(); ++i)
        if (sweep.runs[i].distributed.processes > 1) {
            anyRanks = true;
            cases << "  " << i << ") launch=(srun --ntasks=" << sweep.runs[i].distributed.processes
                  << " --nodes=1) ;;\n";
        }
    if (anyRanks)
        s << "# Runs of several processes: one rank per srun task (docs/distributed.md).\n"
             "case $i in\n"
          << cases.str() << "esac\n";
    s << "if [ -e \"$db\" ] && \"$scns\" --db \"$db\" show 1 > /dev/null 2>&1; then\n"
         "  exec \"${launch[@]}\" \"$scns\" --db \"$db\" resume 1 --force --if-unfinished\n"
         "fi\n"
         "exec \"${launch[@]}\" \"$scns\" --db \"$db\" train --config \"$dir/task-$i.json\"\n";
    return s.str();
}

void writeSweep(const SlurmSweep& sweep)
{
    std::error_code ec;
    std::filesystem::create_directories(sweep.dir / "logs", ec);
    if (ec)
        throw ConfigError({{"--dir", sweep.dir.string(), "a folder that can be made (" + ec.message() + ")"}});
    if (std::filesystem::exists(sweep.recordFile()))
        throw ConfigError({{"--dir", sweep.dir.string(),
                            "a folder without a sweep (it holds " + sweep.recordFile().filename().string()
                                + "; `scns slurm status` shows that one)"}});
    nlohmann::json tasks = nlohmann::json::array();
    for (std::size_t i = 0; i < sweep.runs.size(); ++i) {
        writeFile(sweep.configFile(i), toJsonText(sweep.runs[i]) + "\n");
        tasks.push_back({{"task", i},
                         {"name", sweep.runs[i].displayName()},
                         {"epochs", sweep.runs[i].epochs},
                         {"processes", sweep.runs[i].distributed.processes}});
    }
    const std::string script = sbatchScript(sweep);
    writeFile(sweep.scriptFile(), script);
    std::filesystem::permissions(sweep.scriptFile(), std::filesystem::perms::owner_exec,
                                 std::filesystem::perm_options::add, ec);
    writeFile(sweep.recordFile(), nlohmann::json{{"job_id", nullptr}, {"tasks", tasks}}.dump(2) + "\n");
}

std::string submitSweep(const SlurmSweep& sweep, const std::string& sbatch)
{
    const ProgramOutput r = runProgram({sbatch, "--parsable", sweep.scriptFile().string()});
    if (r.status == 127)
        throw ConfigError({{"sbatch", sbatch,
                            "Slurm's sbatch on PATH (is this a cluster's login node?); the "
                            "script is written: "
                                + sweep.scriptFile().string()}});
    std::string out = r.out;
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r'))
        out.pop_back();
    const std::string jobId = out.substr(0, out.find(';'));  // "123" or "123;cluster"
    if (r.status != 0 || jobId.empty() || jobId.find_first_not_of("0123456789") != std::string::npos)
        throw ConfigError({{"sbatch", sbatch + " " + sweep.scriptFile().string(),
                            "a submitted job; sbatch said: " + (r.err.empty() ? r.out : r.err)}});
    nlohmann::json record = nlohmann::json::parse(readFile(sweep.recordFile()));
    record["job_id"] = jobId;
    writeFile(sweep.recordFile(), record.dump(2) + "\n");
    return jobId;
}

std::vector<SweepTaskState> sweepStatus(const std::filesystem::path& dir, const std::string& squeue)
{
    const std::filesystem::path recordFile = dir / "sweep.json";
    if (!std::filesystem::exists(recordFile))
        throw ConfigError({{"DIR", dir.string(), "a sweep folder written by `scns slurm submit` (no sweep.json)"}});
    const nlohmann::json record = nlohmann::json::parse(readFile(recordFile), nullptr, false);
    if (record.is_discarded() || !record.contains("tasks"))
        throw ConfigError({{"sweep.json", recordFile.string(), "the file `scns slurm submit` wrote"}});
    const std::string jobId = record["job_id"].is_string() ? record["job_id"].get<std::string>() : "";

    // squeue's line per task or pending range: "123_4|RUNNING|None", "123_[5-7]|PENDING|Dependency".
    std::map<std::size_t, std::pair<std::string, std::string>> queued;
    if (!jobId.empty()) {
        const ProgramOutput q = runProgram({squeue, "-h", "-r", "-j", jobId, "-o", "%i|%T|%r"});
        std::istringstream lines(q.out);
        for (std::string line; std::getline(lines, line);) {
            const auto bar1 = line.find('|'), bar2 = line.rfind('|');
            const auto under = line.find('_');
            if (bar1 == std::string::npos || bar2 == bar1 || under == std::string::npos || under > bar1)
                continue;
            const std::string index = line.substr(under + 1, bar1 - under - 1);
            const std::string state = line.substr(bar1 + 1, bar2 - bar1 - 1), reason = line.substr(bar2 + 1);
            if (index.find_first_not_of("0123456789") == std::string::npos && !index.empty())
                queued[std::stoul(index)] = {state, reason};
        }
    }
    std::vector<SweepTaskState> out;
    for (const auto& task : record["tasks"]) {
        SweepTaskState s;
        s.task = task["task"].get<std::size_t>();
        s.name = task["name"].get<std::string>();
        s.epochs = task["epochs"].get<std::int64_t>();
        if (const auto it = queued.find(s.task); it != queued.end()) {
            s.schedulerState = it->second.first;
            s.reason = it->second.second;
        } else {
            s.schedulerState = jobId.empty() ? "not submitted" : "not in queue";
        }
        const std::filesystem::path store = dir / ("task-" + std::to_string(s.task) + ".sqlite");
        s.runStatus = "no store yet";
        if (std::filesystem::exists(store)) {
            try {
                RunStore shard(store);
                if (shard.hasRun(1)) {
                    s.runStatus = toString(shard.run(1).status);
                    if (const auto c = shard.latestCheckpoint(1))
                        s.epochsDone = c->epoch;
                }
            } catch (const std::exception& e) {
                s.runStatus = std::string("unreadable: ") + e.what();
            }
        }
        out.push_back(std::move(s));
    }
    return out;
}

ProgramOutput runProgram(const std::vector<std::string>& argv)
{
    ProgramOutput r;
    int outPipe[2], errPipe[2];
    if (::pipe(outPipe) != 0)
        return r;
    if (::pipe(errPipe) != 0) {
        ::close(outPipe[0]);
        ::close(outPipe[1]);
        return r;
    }
    std::vector<std::string> args = argv;
    std::vector<char*> cargs;
    for (auto& a : args)
        cargs.push_back(a.data());
    cargs.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::dup2(outPipe[1], 1);
        ::dup2(errPipe[1], 2);
        ::close(outPipe[0]);
        ::close(errPipe[0]);
        ::execvp(cargs[0], cargs.data());
        ::_exit(127);
    }
    ::close(outPipe[1]);
    ::close(errPipe[1]);
    if (pid < 0) {
        ::close(outPipe[0]);
        ::close(errPipe[0]);
        return r;
    }
    pollfd fds[2] = {{outPipe[0], POLLIN, 0}, {errPipe[0], POLLIN, 0}};
    std::string* sinks[2] = {&r.out, &r.err};
    int open = 2;
    while (open > 0) {
        if (::poll(fds, 2, -1) < 0 && errno != EINTR)
            break;
        for (int k = 0; k < 2; ++k) {
            if (fds[k].fd < 0 || !(fds[k].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            char buf[4096];
            const ssize_t n = ::read(fds[k].fd, buf, sizeof buf);
            if (n > 0) {
                sinks[k]->append(buf, static_cast<std::size_t>(n));
            } else {
                ::close(fds[k].fd);
                fds[k].fd = -1;
                --open;
            }
        }
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    return r;
}

}  // namespace scns
