// A failed run's stored message is one line that keeps what the error says: every problem of
// a multi-line error (the field names included), none of LibTorch's C++ backtrace.
#include <QtTest>

#include <c10/util/Exception.h>

#include "common/errors.h"
#include "train/run_job.h"

using namespace scns;

class TestRunMessages : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void configurationProblemsKeepTheirFields()
    {
        const ConfigError e({{"optim.lr", "-1", "a positive number"}, {"epochs", "0", "at least 1"}});
        const std::string line = oneLineMessage(e.what());
        QVERIFY2(line.find('\n') == std::string::npos, line.c_str());
        QVERIFY2(line.find("optim.lr") != std::string::npos && line.find("epochs") != std::string::npos, line.c_str());
    }

    void libtorchBacktraceIsCut()
    {
        std::string what;
        try {
            TORCH_CHECK(false, "tensor sizes do not match");
        } catch (const c10::Error& e) {
            what = e.what();
        }
        QVERIFY2(what.find("Exception raised from") != std::string::npos || what.find('\n') == std::string::npos,
                 what.c_str());
        const std::string line = oneLineMessage(what);
        QVERIFY2(line.find("tensor sizes do not match") != std::string::npos, line.c_str());
        QVERIFY2(line.find("Exception raised from") == std::string::npos && line.find("frame #") == std::string::npos,
                 line.c_str());
        QVERIFY2(line.find('\n') == std::string::npos, line.c_str());
    }

    void emptyTextSaysSo() { QCOMPARE(QString::fromStdString(oneLineMessage("\n  \n")), QString("unknown error")); }
};

QTEST_GUILESS_MAIN(TestRunMessages)
#include "test_run_messages.moc"
