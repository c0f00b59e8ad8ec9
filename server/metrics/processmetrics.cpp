#include "metrics/processmetrics_p.h"

#include "metrics/logging.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QFile>
#include <QList>

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdlib>

namespace confab::metrics
{

namespace
{

QByteArray readProcFile(const char *path)
{
    QFile file(QString::fromLatin1(path));
    // /proc files report size 0, so read to the end rather than trusting size().
    if (!file.open(QIODevice::ReadOnly | QIODevice::Unbuffered))
        return {};
    return file.readAll();
}

prometheus::MetricFamily single(
    const char *name, const char *help, prometheus::MetricType type, double value)
{
    prometheus::MetricFamily family;
    family.name = name;
    family.help = help;
    family.type = type;
    prometheus::ClientMetric metric;
    if (type == prometheus::MetricType::Counter)
        metric.counter.value = value;
    else
        metric.gauge.value = value;
    family.metric.push_back(std::move(metric));
    return family;
}

// Seconds since the epoch at boot; changes only if the clock is stepped, so read once.
double bootTime()
{
    static const double btime = [] {
        const QByteArray stat = readProcFile("/proc/stat");
        for (const QByteArray &line : stat.split('\n')) {
            if (line.startsWith("btime "))
                return line.mid(6).trimmed().toDouble();
        }
        return 0.0;
    }();
    return btime;
}

int openFds()
{
    DIR *dir = opendir("/proc/self/fd");
    if (!dir)
        return -1;
    const int own = dirfd(dir);
    int count = 0;
    while (const dirent *entry = readdir(dir)) {
        if (entry->d_name[0] == '.')
            continue;
        // The directory stream's own descriptor is an artefact of counting, not the process's.
        if (std::atoi(entry->d_name) == own)
            continue;
        ++count;
    }
    closedir(dir);
    return count;
}

} // namespace

std::vector<prometheus::MetricFamily> collectProcessMetrics()
{
    using prometheus::MetricType;
    std::vector<prometheus::MetricFamily> out;

    const double ticks = double(sysconf(_SC_CLK_TCK));
    const double pageSize = double(sysconf(_SC_PAGESIZE));

    // The command name (field 2) may hold spaces and parentheses: fields are counted from
    // after its closing parenthesis, where field 3 (state) is index 0.
    const QByteArray stat = readProcFile("/proc/self/stat");
    const qsizetype close = stat.lastIndexOf(')');
    const QList<QByteArray> fields
        = close < 0 ? QList<QByteArray> {} : stat.mid(close + 2).trimmed().split(' ');
    if (fields.size() > 21 && ticks > 0) {
        const double utime = fields.at(11).toDouble();
        const double stime = fields.at(12).toDouble();
        const double startTicks = fields.at(19).toDouble();
        const double vsize = fields.at(20).toDouble();
        const double rssPages = fields.at(21).toDouble();
        out.push_back(
            single("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
                MetricType::Counter, (utime + stime) / ticks));
        out.push_back(single("process_resident_memory_bytes", "Resident memory size in bytes.",
            MetricType::Gauge, rssPages * pageSize));
        out.push_back(single("process_virtual_memory_bytes", "Virtual memory size in bytes.",
            MetricType::Gauge, vsize));
        if (bootTime() > 0) {
            out.push_back(single("process_start_time_seconds",
                "Start time of the process since unix epoch in seconds.", MetricType::Gauge,
                bootTime() + startTicks / ticks));
        }
    } else {
        qCWarning(lcMetrics) << "reading /proc/self/stat for process metrics failed";
    }

    const int fds = openFds();
    if (fds >= 0) {
        out.push_back(
            single("process_open_fds", "Number of open file descriptors.", MetricType::Gauge, fds));
    }
    rlimit limit {};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
        out.push_back(single("process_max_fds", "Maximum number of open file descriptors.",
            MetricType::Gauge, double(limit.rlim_cur)));
    }
    return out;
}

} // namespace confab::metrics
