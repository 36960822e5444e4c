#pragma once
// Loading store data off the GUI thread. A view calls loadAsync(this, work, done): `work`
// runs on Qt's global thread pool (it opens its own RunStore there: one connection per
// thread), `done` runs on the view's thread with the result. Exceptions thrown by `work`
// arrive as Loaded::error, never as a crash. A view that starts a new load before the old
// one finished drops the stale result by comparing its own generation counter.
#include <QFutureWatcher>
#include <QObject>
#include <QString>
#include <QtConcurrent/QtConcurrentRun>

#include <exception>
#include <optional>
#include <utility>

namespace scns {

template <class T>
struct Loaded {
    std::optional<T> value;
    QString error;  // set when value is empty
};

template <class Work, class Done>
void loadAsync(QObject* context, Work work, Done done)
{
    using T = decltype(work());
    auto* watcher = new QFutureWatcher<Loaded<T>>(context);
    QObject::connect(watcher, &QFutureWatcherBase::finished, context, [watcher, done = std::move(done)]() mutable {
        done(watcher->result());
        watcher->deleteLater();
    });
    watcher->setFuture(QtConcurrent::run([work = std::move(work)]() mutable -> Loaded<T> {
        Loaded<T> out;
        try {
            out.value = work();
        } catch (const std::exception& e) {
            out.error = QString::fromStdString(e.what());
        } catch (...) {
            out.error = QStringLiteral("unknown error while loading");
        }
        return out;
    }));
}

}  // namespace scns
