// RunConfig: JSON round trip, defaults, and complete reports of invalid fields.
#include <QtTest>

#include <nlohmann/json.hpp>

#include "common/errors.h"
#include "dist/launch_env.h"
#include "train/run_config.h"
#include "train/run_settings.h"

#include <functional>
#include <set>

using namespace scns;
using nlohmann::json;

namespace {
QStringList fieldsOf(const ConfigError& e)
{
    QStringList out;
    for (const auto& p : e.problems())
        out << QString::fromStdString(p.field);
    return out;
}
}  // namespace

class TestRunConfig : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void defaultsAreValidAndRoundTrip()
    {
        RunConfig c;
        c.validate();
        QCOMPARE(c.data.dataset, DatasetId::FashionMnist);
        QCOMPARE(c.arch, std::string("small-cnn"));
        QCOMPARE(c.schedule.kind, ScheduleKind::OneCycle);
        // An empty file is the defaults.
        QCOMPARE(toJson(runConfigFromJsonText("{}", "empty")).dump(), toJson(c).dump());
    }

    // Files written by the landed version (tests/data/config-golden, before the settings
    // table) read with today's reader, value by value.
    void goldenFilesLoad()
    {
        const std::string dir = SCNS_SOURCE_DIR "/tests/data/config-golden/";
        const RunConfig a = loadRunConfig(dir + "every-section.json");
        QCOMPARE(a.name, std::string("golden"));
        QCOMPARE(a.data.dataset, DatasetId::Cifar100);
        QCOMPARE(a.data.folder, std::string("/data/cifar-100-python"));
        QCOMPARE(a.data.trainPerClass, std::int64_t(50));
        QCOMPARE(a.data.testPerClass, std::int64_t(20));
        QCOMPARE(a.data.cropPadding, std::optional<std::int64_t>(2));
        QCOMPARE(a.data.flip, std::optional<bool>(false));
        QVERIFY(!a.data.prefetch);
        QCOMPARE(a.arch, std::string("resnet8x4"));
        QCOMPARE(a.epochs, std::int64_t(240));
        QCOMPARE(a.batchSize, std::int64_t(64));
        QCOMPARE(a.optim.lr, 0.05);
        QCOMPARE(a.optim.momentum, 0.8);
        QCOMPARE(a.optim.weightDecay, 0.0001);
        QVERIFY(!a.optim.nesterov);
        QCOMPARE(a.schedule.kind, ScheduleKind::Multistep);
        QCOMPARE(a.schedule.warmupEpochs, 1.5);
        QCOMPARE(a.schedule.milestones, (std::vector<std::int64_t>{150, 180, 210}));
        QCOMPARE(a.schedule.gamma, 0.2);
        QCOMPARE(a.seed, std::uint64_t(18446744073709551615ULL));
        QCOMPARE(a.threads, std::int64_t(2));
        QCOMPARE(a.device, std::string("cuda:1"));
        const ContrastiveConfig& k = a.contrastive;
        QVERIFY(k.enabled);
        QCOMPARE(k.sampler, SamplerKind::Class);
        QCOMPARE(k.objective, Objective::Nce);
        QCOMPARE(k.negatives, std::int64_t(16384));
        QCOMPARE(k.tau, 0.1);
        QCOMPARE(k.beta, 0.5);
        QCOMPARE(k.positive, Positive::Self);
        QCOMPARE(k.epsilon, 0.25);
        QCOMPARE(k.similarity, ClassSimilaritySource::File);
        QCOMPARE(k.similarityFile, std::string("/data/sim.csv"));
        QCOMPARE(k.classK, std::int64_t(5));
        QCOMPARE(k.classTau, 0.2);
        QCOMPARE(k.instanceK, std::int64_t(32));
        QCOMPARE(k.instanceWeighting, InstanceWeighting::Softmax);
        QCOMPARE(k.mixupAlpha, 0.5);
        QCOMPARE(k.mixupMode, MixupMode::Anchor);
        QCOMPARE(k.refreshEpochs, std::int64_t(3));
        QCOMPARE(k.probeAnchors, std::int64_t(8));
        QCOMPARE(a.distill.method, DistillMethod::CrdKd);
        QCOMPARE(a.distill.teacherWeights, std::string("/data/teacher.pth"));
        QCOMPARE(a.distill.teacherArch, std::string("resnet32x4"));
        QCOMPARE(a.distill.temperature, 3.0);
        QCOMPARE(a.distill.gamma(), 0.5);
        QCOMPARE(a.distill.alpha(), 0.7);
        QCOMPARE(a.distill.beta(), 0.9);

        const RunConfig b = loadRunConfig(dir + "instance-mixup.json");
        QCOMPARE(b.data.dataset, DatasetId::TinyImageNet);
        QCOMPARE(b.arch, std::string("wrn_16_2"));
        QCOMPARE(b.schedule.kind, ScheduleKind::Cosine);
        QCOMPARE(b.schedule.warmupEpochs, 0.5);
        QCOMPARE(b.contrastive.sampler, SamplerKind::Instance);
        QCOMPARE(b.contrastive.objective, Objective::InfoNce);
        QCOMPARE(b.contrastive.mixupCount, std::int64_t(4));
        QCOMPARE(b.contrastive.mixupAlpha, 2.0);
        QCOMPARE(b.contrastive.mixupMode, MixupMode::Pairs);
        QCOMPARE(b.contrastive.instanceK, std::int64_t(16));
        QCOMPARE(b.contrastive.referenceWeights, std::string("/data/ref.pth"));
        QCOMPARE(b.contrastive.referenceArch, std::string("resnet20"));
        QCOMPARE(b.distill.method, DistillMethod::None);
        QCOMPARE(b.seed, std::uint64_t(7));

        const RunConfig c = loadRunConfig(dir + "supcon.json");
        QCOMPARE(c.contrastive.objective, Objective::SupCon);
        QCOMPARE(c.contrastive.sampler, SamplerKind::Uniform);
        QCOMPARE(c.batchSize, std::int64_t(96));
        QCOMPARE(c.schedule.kind, ScheduleKind::Constant);
    }

    // The writer writes exactly the table's keys, each where its dotted key says.
    void writerWritesEveryKeyOfTheTable()
    {
        std::set<std::string> written;
        std::function<void(const json&, const std::string&)> leaves = [&](const json& j, const std::string& prefix) {
            for (auto it = j.begin(); it != j.end(); ++it) {
                if (it->is_object())
                    leaves(*it, prefix + it.key() + ".");
                else
                    written.insert(prefix + it.key());
            }
        };
        leaves(toJson(RunConfig{}), "");
        std::set<std::string> declared;
        for (const auto& s : runSettings())
            declared.insert(s.key);
        QCOMPARE(written, declared);
    }

    // Every setting can be given with --set: a value other than its default, as text, lands
    // in the member the setting describes and is written back under its key.
    void everySettingIsSettableAsText()
    {
        const RunConfig defaults;
        for (const auto& s : runSettings()) {
            if (s.key == "optim.optimizer")
                continue;  // one choice only
            const json def = s.get(defaults);
            std::string text;
            switch (s.type) {
            case SettingType::Bool: text = def.get<bool>() ? "false" : "true"; break;
            case SettingType::OptionalBool: text = "true"; break;
            case SettingType::Integer:
            case SettingType::OptionalInteger: text = std::to_string(def.is_null() ? 3 : def.get<std::int64_t>() + 1); break;
            case SettingType::Seed: text = "12345"; break;
            case SettingType::Real:
            case SettingType::OptionalReal: text = def.is_null() || def.get<double>() == 0 ? "0.5" : json(def.get<double>() / 2).dump(); break;
            case SettingType::Text:
            case SettingType::File:
            case SettingType::Folder: text = "x-" + s.key; break;
            case SettingType::Choice:
            case SettingType::Network: text = s.choices.at(json(s.choices.at(0)) == def ? 1 : 0); break;
            case SettingType::IntegerList: text = "[1, 2]"; break;
            }
            RunConfig c;
            applySettingText(c, s.key, text);
            const json got = s.get(c);
            QVERIFY2(got != def, (s.key + " = " + text + " left the default").c_str());
            const std::string expect = got.is_string() ? got.get<std::string>() : got.dump();
            QVERIFY2(expect == text || json::parse(text) == got, (s.key + ": set " + text + ", got " + got.dump()).c_str());
            // Written under its dotted key.
            json j = toJson(c);
            for (std::size_t start = 0, dot; (dot = s.key.find('.', start)) != std::string::npos; start = dot + 1)
                j = j.at(s.key.substr(start, dot - start));
            QCOMPARE(j.at(s.key.substr(s.key.rfind('.') + 1)).dump(), got.dump());
        }
        // Text that is not the setting's type is refused with the key named.
        RunConfig c;
        for (const auto& [key, text] : {std::pair{"epochs", "three"}, {"contrastive.sampler", "hardest"},
                                        {"schedule.milestones", "[1, \"x\"]"}, {"no.such.key", "1"}}) {
            try {
                applySettingText(c, key, text);
                QFAIL(key);
            } catch (const ConfigError& e) {
                QVERIFY2(fieldsOf(e).contains(QString::fromUtf8(key)), e.what());
            }
        }
    }

    // docs/usage.md's configuration reference is the table's: regenerate it when a setting
    // changes.
    void docsReferenceMatchesTheTable()
    {
        QFile file(QStringLiteral(SCNS_SOURCE_DIR "/docs/usage.md"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(file.readAll());
        const QString begin = QStringLiteral("<!-- settings-reference:begin -->\n");
        const QString end = QStringLiteral("<!-- settings-reference:end -->");
        const auto a = text.indexOf(begin);
        const auto b = text.indexOf(end);
        QVERIFY2(a >= 0 && b > a, "docs/usage.md lacks the settings-reference markers");
        const QString committed = text.mid(a + begin.size(), b - a - begin.size());
        const QString generated = QString::fromStdString(settingsReferenceMarkdown());
        QVERIFY2(committed == generated,
                 "docs/usage.md's configuration reference differs from the settings table: run "
                 "`python3 docs/update-settings-reference.py` (it pastes `scns settings --markdown` between the "
                 "settings-reference markers)");
    }

    void choiceNamesParseBack()
    {
        for (const auto& name : choiceNames<SamplerKind>())
            QCOMPARE(toString(*parseChoice<SamplerKind>(name)), name);
        QVERIFY(!parseChoice<Objective>("InfoNCE"));  // exact spellings only
        QCOMPARE(*parseChoice<DistillMethod>("crd+kd"), DistillMethod::CrdKd);
        QCOMPARE(joinChoices({"a", "b", "c"}), std::string("a, b or c"));
    }

    // A setting that does not apply is not checked: the class sampler's k with the uniform
    // sampler, distillation's temperature without a method.
    void settingsThatDoNotApplyAreNotChecked()
    {
        const RunConfig c = runConfigFromJsonText(
            R"({"contrastive": {"enabled": true, "sampler": "uniform", "class": {"k": 0}}, "distill": {"temperature": -1}})", "p");
        QCOMPARE(c.contrastive.classK, std::int64_t(0));
        QVERIFY(!findSetting("contrastive.class.k")->appliesTo(c));
        QVERIFY(findSetting("contrastive.negatives")->appliesTo(c));
        try {
            runConfigFromJsonText(R"({"contrastive": {"enabled": true, "sampler": "class", "class": {"k": 0}}})", "p");
            QFAIL("class.k = 0 with the class sampler must fail");
        } catch (const ConfigError& e) {
            QVERIFY2(fieldsOf(e).contains("contrastive.class.k"), e.what());
        }
    }

    void settingsSwitchTheirSectionOn()
    {
        // The table says which settings switch a section on; the reference and --help say it from there.
        QCOMPARE(QString::fromStdString(sectionSwitchedBy("contrastive.enabled")),
                 QStringLiteral("contrastive.sampler (none: off), distill.method (a crd method)"));
        QVERIFY(sectionSwitchedBy("contrastive.class.k").empty());

        // A file that gives a sampler but not the switch gets the term; an explicit switch wins.
        QVERIFY(runConfigFromJsonText(R"({"contrastive": {"sampler": "class"}})", "s").contrastive.enabled);
        QVERIFY(!runConfigFromJsonText(R"({"contrastive": {"enabled": false, "sampler": "class"}})", "s").contrastive.enabled);
        QVERIFY(!runConfigFromJsonText(R"({"contrastive": {"objective": "nce"}})", "s").contrastive.enabled);

        // Text (flags, --set): the off word sets the switch, not the sampler, and is recorded as the switch.
        RunConfig c;
        c.contrastive.enabled = true;
        c.contrastive.sampler = SamplerKind::Instance;
        std::set<std::string> given;
        applySettingText(c, "contrastive.sampler", "none", &given);
        QVERIFY(!c.contrastive.enabled);
        QCOMPARE(c.contrastive.sampler, SamplerKind::Instance);
        QCOMPARE(given, (std::set<std::string>{"contrastive.enabled"}));
        applySectionSwitches(c, given);
        QVERIFY(!c.contrastive.enabled);

        // A kd method leaves the term alone; a crd method switches it on, unless it was given.
        RunConfig d;
        given.clear();
        applySettingText(d, "distill.method", "kd", &given);
        applySectionSwitches(d, given);
        QVERIFY(!d.contrastive.enabled);
        applySettingText(d, "distill.method", "crd+kd", &given);
        applySectionSwitches(d, given);
        QVERIFY(d.contrastive.enabled);
        d.contrastive.enabled = false;
        applySettingText(d, "contrastive.enabled", "false", &given);
        applySectionSwitches(d, given);
        QVERIFY(!d.contrastive.enabled);
    }

    void distillSectionRoundTripsWithMethodDefaults()
    {
        // A crd method switches the contrastive term on (it is CRD's) unless the file says otherwise.
        const RunConfig crd = runConfigFromJsonText(
            R"({"distill": {"method": "crd", "teacher": {"weights": "/t/epoch-9.pt", "run_id": 4}}})", "crd");
        QVERIFY(crd.contrastive.enabled);
        QCOMPARE(crd.distill.teacherRunId, std::int64_t(4));
        QCOMPARE(crd.distill.gamma(), 1.0);
        QCOMPARE(crd.distill.alpha(), 0.0);
        QCOMPARE(crd.distill.beta(), 0.8);
        QCOMPARE(toJson(runConfigFromJson(toJson(crd))).dump(), toJson(crd).dump());

        RunConfig kd;
        kd.distill.method = DistillMethod::Kd;
        kd.distill.teacherWeights = "t.pth";
        kd.distill.teacherArch = "resnet32x4";
        kd.distill.temperature = 2;
        QCOMPARE(kd.distill.gamma(), 0.1);  // Hinton KD as in CRD's table
        QCOMPARE(kd.distill.alpha(), 0.9);
        QCOMPARE(kd.distill.beta(), 0.0);
        kd.distill.ceWeight = 0.5;  // explicit weights replace the method's defaults
        const RunConfig back = runConfigFromJson(toJson(kd));
        QCOMPARE(back.distill.gamma(), 0.5);
        QCOMPARE(back.distill.alpha(), 0.9);
        QVERIFY(!back.distill.kdWeight.has_value());
        QCOMPARE(back.distill.teacherArch, std::string("resnet32x4"));
        QCOMPARE(back.distill.temperature, 2.0);
        RunConfig both;
        both.distill.method = DistillMethod::CrdKd;
        QCOMPARE(both.distill.alpha(), 1.0);
        QCOMPARE(both.distill.beta(), 0.8);
    }

    void augmentationDefaultsDependOnDataSet()
    {
        RunConfig c;
        QCOMPARE(c.data.resolvedCropPadding(), std::int64_t(0));
        QVERIFY(!c.data.resolvedFlip());
        c.data.dataset = DatasetId::Cifar10;
        QCOMPARE(c.data.resolvedCropPadding(), std::int64_t(4));
        QVERIFY(c.data.resolvedFlip());
    }

    void invalidFields_data()
    {
        QTest::addColumn<QString>("patch");
        QTest::addColumn<QString>("field");
        QTest::newRow("negative lr") << R"({"optim": {"lr": -0.1}})" << "optim.lr";
        QTest::newRow("zero batch") << R"({"batch_size": 0})" << "batch_size";
        QTest::newRow("unknown data set") << R"({"data": {"dataset": "imagenet22k"}})" << "data.dataset";
        QTest::newRow("unknown arch") << R"({"model": {"arch": "resnet9000"}})" << "model.arch";
        QTest::newRow("bad device") << R"({"device": "tpu"})" << "device";
        QTest::newRow("zero epochs") << R"({"epochs": 0})" << "epochs";
        QTest::newRow("momentum 1") << R"({"optim": {"momentum": 1.0}})" << "optim.momentum";
        QTest::newRow("milestone past end") << R"({"epochs": 10, "schedule": {"kind": "multistep", "milestones": [5, 12]}})"
                                            << "schedule.milestones[1]";
        QTest::newRow("multistep without milestones") << R"({"schedule": {"kind": "multistep"}})" << "schedule.milestones";
        QTest::newRow("unknown schedule") << R"({"schedule": {"kind": "triangle"}})" << "schedule.kind";
        QTest::newRow("wrong type") << R"({"epochs": "three"})" << "epochs";
        QTest::newRow("typo key") << R"({"optim": {"learning_rate": 0.1}})" << "optim.learning_rate";
        QTest::newRow("unknown top-level key") << R"({"epoch": 3})" << "epoch";
        QTest::newRow("negative per-class cap") << R"({"data": {"train_per_class": -5}})" << "data.train_per_class";
        QTest::newRow("keep zero checkpoints") << R"({"checkpoint": {"keep": 0}})" << "checkpoint.keep";
        QTest::newRow("negative threads") << R"({"threads": -1})" << "threads";
        QTest::newRow("unknown sampler") << R"({"contrastive": {"enabled": true, "sampler": "hardest"}})"
                                         << "contrastive.sampler";
        QTest::newRow("zero negatives") << R"({"contrastive": {"enabled": true, "negatives": 0}})"
                                        << "contrastive.negatives";
        QTest::newRow("epsilon above 1") << R"({"contrastive": {"enabled": true, "epsilon": 1.5}})" << "contrastive.epsilon";
        QTest::newRow("class k zero") << R"({"contrastive": {"enabled": true, "sampler": "class", "class": {"k": 0}}})" << "contrastive.class.k";
        QTest::newRow("file source without file") << R"({"contrastive": {"enabled": true, "class": {"similarity": "file"}}})"
                                                  << "contrastive.class.similarity_file";
        QTest::newRow("mixup alpha") << R"({"contrastive": {"enabled": true, "mixup": {"count": 4, "alpha": 0}}})"
                                     << "contrastive.mixup.alpha";
        QTest::newRow("supcon batch not a multiple") << R"({"batch_size": 30, "contrastive": {"enabled": true, "objective": "supcon", "supcon": {"samples_per_class": 4}}})"
                                                     << "batch_size";
        QTest::newRow("typo in mixup") << R"({"contrastive": {"mixup": {"cuont": 4}}})" << "contrastive.mixup.cuont";
        QTest::newRow("unknown distill method") << R"({"distill": {"method": "fitnet"}})" << "distill.method";
        QTest::newRow("distill without teacher") << R"({"distill": {"method": "kd"}})" << "distill.teacher.weights";
        QTest::newRow("zero KD temperature") << R"({"distill": {"method": "kd", "teacher": {"weights": "t.pth"}, "temperature": 0}})"
                                             << "distill.temperature";
        QTest::newRow("negative KD weight") << R"({"distill": {"method": "kd", "teacher": {"weights": "t.pth"}, "kd_weight": -1}})"
                                            << "distill.kd_weight";
        QTest::newRow("unknown teacher arch") << R"({"distill": {"method": "kd", "teacher": {"weights": "t.pth", "arch": "vgg99"}}})"
                                              << "distill.teacher.arch";
        QTest::newRow("crd with contrastive off") << R"({"distill": {"method": "crd", "teacher": {"weights": "t.pth"}}, "contrastive": {"enabled": false}})"
                                                  << "contrastive.enabled";
        QTest::newRow("crd with supcon") << R"({"distill": {"method": "crd", "teacher": {"weights": "t.pth"}}, "contrastive": {"objective": "supcon"}})"
                                         << "contrastive.objective";
        QTest::newRow("reference network beside a teacher") << R"({"distill": {"method": "kd", "teacher": {"weights": "t.pth"}}, "contrastive": {"reference": {"weights": "r.pth"}}})"
                                                            << "contrastive.reference.weights";
        QTest::newRow("typo in teacher") << R"({"distill": {"teacher": {"wieghts": "t.pth"}}})" << "distill.teacher.wieghts";
        QTest::newRow("unknown exchange backend") << R"({"distributed": {"processes": 2, "backend": "mpi"}})"
                                                  << "distributed.backend";
        // Refused on a CPU device, and in a build without NCCL on any device.
        QTest::newRow("nccl on the cpu") << R"({"distributed": {"processes": 2, "backend": "nccl"}})"
                                         << "distributed.backend";
        QTest::newRow("instance weighting") << R"({"contrastive": {"enabled": true, "instance": {"weighting": "max"}}})"
                                            << "contrastive.instance.weighting";
    }

    void invalidFields()
    {
        QFETCH(QString, patch);
        QFETCH(QString, field);
        try {
            runConfigFromJsonText(patch.toStdString(), "patch");
            QFAIL("expected a ConfigError");
        } catch (const ConfigError& e) {
            QVERIFY2(fieldsOf(e).contains(field), qPrintable(QString::fromUtf8(e.what())));
            // The message names the field, the value and what is expected.
            QVERIFY(QString::fromUtf8(e.what()).contains(field));
            QVERIFY(QString::fromUtf8(e.what()).contains("expected"));
        }
    }

    void allProblemsReportedAtOnce()
    {
        try {
            runConfigFromJsonText(R"({"optim": {"lr": -1}, "batch_size": 0, "data": {"dataset": "nope"}, "bogus": 1})", "f");
            QFAIL("expected a ConfigError");
        } catch (const ConfigError& e) {
            const QStringList fields = fieldsOf(e);
            QCOMPARE(fields.size(), 4);
            for (const char* f : {"optim.lr", "batch_size", "data.dataset", "bogus"})
                QVERIFY2(fields.contains(f), f);
            QVERIFY(QString::fromUtf8(e.what()).contains("-1"));
        }
    }

    void malformedJsonNamesTheSource()
    {
        try {
            runConfigFromJsonText("{ not json", "my-config.json");
            QFAIL("expected a ConfigError");
        } catch (const ConfigError& e) {
            QVERIFY(QString::fromUtf8(e.what()).contains("my-config.json"));
        }
    }

    // Issue 10, hostile sizes: a config nested a million levels deep crashed with a stack
    // overflow; now it is one ConfigError naming the file and the limit.
    void deeplyNestedJsonIsAClearError()
    {
        const std::size_t levels = 1000000;
        const std::string text = "{\"name\": " + std::string(levels, '[') + std::string(levels, ']') + "}";
        try {
            runConfigFromJsonText(text, "deep.json");
            QFAIL("expected a ConfigError");
        } catch (const ConfigError& e) {
            const QString what = QString::fromUtf8(e.what());
            QVERIFY2(what.contains("deep.json") && what.contains("nested at most 64 levels"), qPrintable(what));
            QVERIFY2(what.size() < 400, qPrintable(what));
        }
        // Brackets inside strings do not count, and 64 levels are fine for the parser.
        const std::string inString = "{\"name\": \"" + std::string(1000, '[') + "\"}";
        QCOMPARE(runConfigFromJsonText(inString, "s").name, std::string(1000, '['));
        const std::string ok = "{\"name\": " + std::string(60, '[') + std::string(60, ']') + "}";
        try {
            runConfigFromJsonText(ok, "ok.json");
            QFAIL("expected a ConfigError (name is not a string)");
        } catch (const ConfigError& e) {
            QVERIFY2(fieldsOf(e).contains("name"), e.what());
        }
    }

    void malformedJsonLeaksNoLibraryText()
    {
        try {
            runConfigFromJsonText("{\"epochs\": 3,\n \"name\": nope}", "bad.json");
            QFAIL("expected a ConfigError");
        } catch (const ConfigError& e) {
            const QString what = QString::fromUtf8(e.what());
            QVERIFY2(what.contains("bad.json") && what.contains("line 2"), qPrintable(what));
            QVERIFY2(!what.contains("json.exception"), qPrintable(what));
        }
    }

    // Issue 10, clear messages: 1e999 is kept by the parser as infinity and was reported as
    // "null"; a number beyond int64 as a wrong type.
    void overflowingNumbersAreNamed_data()
    {
        QTest::addColumn<QString>("patch");
        QTest::addColumn<QString>("field");
        QTest::newRow("double overflow") << R"({"optim": {"lr": 1e999}})" << "optim.lr";
        QTest::newRow("integer field, double overflow") << R"({"epochs": 1e999})" << "epochs";
        QTest::newRow("integer beyond int64") << R"({"epochs": 99999999999999999999})" << "epochs";
        QTest::newRow("seed beyond uint64") << R"({"seed": 1e30})" << "seed";
    }

    void overflowingNumbersAreNamed()
    {
        QFETCH(QString, patch);
        QFETCH(QString, field);
        try {
            runConfigFromJsonText(patch.toStdString(), "patch");
            QFAIL("expected a ConfigError");
        } catch (const ConfigError& e) {
            const QString what = QString::fromUtf8(e.what());
            QVERIFY2(what.contains(field + " = "), qPrintable(what));
            QVERIFY2(what.contains("overflow"), qPrintable(what));
            QVERIFY2(!what.contains("null"), qPrintable(what));
        }
    }

    void negativeSeedIsRefusedWithAMessage()
    {
        try {
            runConfigFromJsonText(R"({"seed": -1})", "patch");
            QFAIL("expected a ConfigError");
        } catch (const ConfigError& e) {
            QVERIFY2(fieldsOf(e).contains("seed") && QString::fromUtf8(e.what()).contains("negative"), e.what());
        }
    }

    // --seed -1 was read by CLI11 into the unsigned seed as 2^64 - 1; the flag is now parsed
    // by parseSeedText.
    void seedFlagText_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");  // empty: accepted
        QTest::newRow("zero") << "0" << "";
        QTest::newRow("largest") << "18446744073709551615" << "";
        QTest::newRow("minus one") << "-1" << "--seed = -1: expected a non-negative integer (negative seeds are not allowed)";
        QTest::newRow("beyond 64 bits") << "18446744073709551616" << "(the number overflows)";
        QTest::newRow("not a number") << "abc" << "--seed = abc: expected an integer in [0, 2^64 - 1]";
        QTest::newRow("empty") << "" << "expected an integer";
    }

    void seedFlagText()
    {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        try {
            const std::uint64_t seed = parseSeedText(text.toStdString());
            QVERIFY2(expected.isEmpty(), "accepted");
            QCOMPARE(QString::number(seed), text);
        } catch (const ConfigError& e) {
            QVERIFY2(!expected.isEmpty() && QString::fromUtf8(e.what()).contains(expected), e.what());
        }
    }

    // Invalid UTF-8 from a flag (the CLI builds the config in memory) gave nlohmann's
    // type_error.316 when the config was dumped; now the field is named.
    void invalidUtf8IsNamed()
    {
        RunConfig c;
        c.name = "run\xff\xfe";
        c.data.folder = "/data/\xc3(";
        try {
            runConfigFromJson(toJson(c));
            QFAIL("expected a ConfigError");
        } catch (const ConfigError& e) {
            const QString what = QString::fromUtf8(e.what());
            QVERIFY2(fieldsOf(e).contains("name") && fieldsOf(e).contains("data.folder"), qPrintable(what));
            QVERIFY2(what.contains("UTF-8") && what.contains("\\xff"), qPrintable(what));
            QVERIFY2(!what.contains("316"), qPrintable(what));
        }
        try {
            c.validate();
            QFAIL("expected a ConfigError");
        } catch (const ConfigError& e) {
            QVERIFY2(fieldsOf(e).contains("name"), e.what());
        }
    }

    // A 100 MB value was echoed whole in the message.
    void hugeValuesAreTruncatedInMessages()
    {
        const std::string huge(100 * 1000 * 1000, 'x');
        for (const std::string& text : {R"({"model": {"arch": ")" + huge + R"("}})", R"({"epochs": ")" + huge + R"("})",
                                        R"({")" + huge + R"(": 1})"}) {
            try {
                runConfigFromJsonText(text, "huge.json");
                QFAIL("expected a ConfigError");
            } catch (const ConfigError& e) {
                const std::string what = e.what();
                QVERIFY2(what.size() < 2000, what.substr(0, 300).c_str());
                QVERIFY2(what.find("100000") != std::string::npos, what.c_str());  // the full size is told
                for (const auto& p : e.problems())
                    QVERIFY(p.value.size() < 400 && p.field.size() < 400);
            }
        }
    }

    // --negatives 16 failed on probe_negatives = 32, a default the user never set.
    void fewNegativesDoNotFailOnTheProbeDefault()
    {
        const RunConfig c = runConfigFromJsonText(R"({"contrastive": {"enabled": true, "negatives": 16}})", "p");
        QCOMPARE(c.contrastive.negatives, std::int64_t(16));
        RunConfig d;
        d.contrastive.enabled = true;
        d.contrastive.negatives = 8;
        d.validate();
        const RunConfig back = runConfigFromJson(toJson(d));
        QCOMPARE(back.contrastive.negatives, std::int64_t(8));
    }

    void divergenceBoundIsASetting()
    {
        RunConfig c;
        QCOMPARE(c.divergenceLoss, 1e6);
        c.divergenceLoss = 50.0;
        QCOMPARE(runConfigFromJson(toJson(c)).divergenceLoss, 50.0);
        for (const char* bad : {R"({"divergence_loss": 0})", R"({"divergence_loss": -3})", R"({"divergence_loss": "big"})"}) {
            try {
                runConfigFromJsonText(bad, "p");
                QFAIL(bad);
            } catch (const ConfigError& e) {
                QVERIFY2(fieldsOf(e).contains("divergence_loss"), e.what());
            }
        }
    }

    // nccl on a GPU: accepted where this build has NCCL, else refused saying so; with one
    // process the setting does not apply and is not checked.
    void ncclNeedsABuildWithIt()
    {
        const char* onGpu = R"({"device": "cuda", "distributed": {"processes": 2, "backend": "nccl"}})";
        try {
            const RunConfig c = runConfigFromJsonText(onGpu, "p");
            QVERIFY2(kBuiltWithNccl, "nccl accepted by a build without NCCL");
            QCOMPARE(c.distributed.backend, CollectiveBackend::Nccl);
        } catch (const ConfigError& e) {
            QVERIFY2(!kBuiltWithNccl, e.what());
            QVERIFY2(fieldsOf(e) == QStringList{"distributed.backend"}, e.what());
            QVERIFY2(QString::fromUtf8(e.what()).contains("built without NCCL"), e.what());
        }
        const RunConfig one = runConfigFromJsonText(R"({"distributed": {"backend": "nccl"}})", "p");
        QCOMPARE(one.distributed.backend, CollectiveBackend::Nccl);
    }

    void missingFileNamesThePath()
    {
        try {
            loadRunConfig("/nonexistent/run.json");
            QFAIL("expected a ConfigError");
        } catch (const ConfigError& e) {
            QVERIFY(QString::fromUtf8(e.what()).contains("/nonexistent/run.json"));
        }
    }
};

QTEST_GUILESS_MAIN(TestRunConfig)
#include "test_run_config.moc"
