// Class similarity S from each source, against direct computations on small inputs.
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <fstream>

#include <ATen/ATen.h>

#include "common/errors.h"
#include "semantic/class_similarity.h"

using namespace scns;

namespace {

double cosine(const std::vector<double>& a, const std::vector<double>& b)
{
    double ab = 0, aa = 0, bb = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        ab += a[i] * b[i];
        aa += a[i] * a[i];
        bb += b[i] * b[i];
    }
    return ab / std::sqrt(aa * bb);
}

void expectSymmetric(const at::Tensor& s)
{
    QCOMPARE(s.scalar_type(), at::kFloat);
    QVERIFY(s.dim() == 2 && s.size(0) == s.size(1));
    QVERIFY(at::equal(s, s.t()));
}

}  // namespace

class TestClassSimilarity : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void wordnetForCifar10()
    {
        const std::vector<std::string> names{"airplane", "automobile", "bird",  "cat",  "deer",
                                             "dog",      "frog",       "horse", "ship", "truck"};
        const at::Tensor s = wordnetClassSimilarity("cifar10", names);
        expectSymmetric(s);
        QCOMPARE(s.size(0), std::int64_t(10));
        QVERIFY(at::equal(s.diagonal(), at::ones({10})));
        // NLTK: wup(cat.n.01, dog.n.01) = 6/7, wup(car.n.01, truck.n.01) = 11/12,
        // wup(airplane.n.01, car.n.01) = 2/3.
        QVERIFY(std::abs(s[3][5].item<float>() - 0.857142857f) < 1e-6);
        QVERIFY(std::abs(s[1][9].item<float>() - 0.916666667f) < 1e-6);
        QVERIFY(std::abs(s[0][1].item<float>() - 0.666666667f) < 1e-6);
        // Animals are closer to each other than to vehicles.
        QVERIFY(s[3][5].item<float>() > s[3][9].item<float>());
    }

    void wordnetUnknownSynsetNamesClass()
    {
        try {
            wordnetClassSimilarity({"dog.n.01", "qwzx.n.01"}, WordNet::system());
            QFAIL("no exception");
        } catch (const DataError& e) {
            QVERIFY2(QString(e.what()).contains("class 1") && QString(e.what()).contains("qwzx.n.01"), e.what());
        }
    }

    void visualEqualsCosineOfClassMeans()
    {
        // Three classes in 2-D, class 1 with three samples, rows normalised as a head would.
        const std::vector<std::vector<double>> x{{1, 0}, {0.6, 0.8}, {0, 1}, {-1, 0}, {0.8, 0.6}, {0, -1}};
        const std::vector<std::int64_t> y{0, 1, 1, 2, 1, 0};
        at::Tensor e = at::empty({6, 2}, at::kFloat);
        for (int i = 0; i < 6; ++i)
            for (int j = 0; j < 2; ++j)
                e[i][j] = x[i][j];
        const at::Tensor s = visualClassSimilarity(e, at::tensor(y), 3);
        expectSymmetric(s);
        std::vector<std::vector<double>> mean(3, std::vector<double>(2, 0.0));
        std::vector<int> count(3, 0);
        for (int i = 0; i < 6; ++i) {
            for (int j = 0; j < 2; ++j)
                mean[y[i]][j] += x[i][j];
            ++count[y[i]];
        }
        for (int c = 0; c < 3; ++c)
            for (int j = 0; j < 2; ++j)
                mean[c][j] /= count[c];
        for (int a = 0; a < 3; ++a)
            for (int b = 0; b < 3; ++b) {
                const double expected = a == b ? 1.0 : cosine(mean[a], mean[b]);
                QVERIFY2(std::abs(s[a][b].item<double>() - expected) < 1e-6,
                         qPrintable(QString("%1 %2: %3 vs %4").arg(a).arg(b).arg(s[a][b].item<double>()).arg(expected)));
            }
    }

    void visualRejectsEmptyClassAndBadLabels()
    {
        const at::Tensor e = at::eye(3);
        QVERIFY_THROWS_EXCEPTION(DataError, visualClassSimilarity(e, at::tensor(std::vector<std::int64_t>{0, 0, 2}), 3));
        QVERIFY_THROWS_EXCEPTION(DataError, visualClassSimilarity(e, at::tensor(std::vector<std::int64_t>{0, 1, 3}), 3));
        QVERIFY_THROWS_EXCEPTION(DataError, visualClassSimilarity(e, at::tensor(std::vector<std::int64_t>{0, 1}), 3));
    }

    void confusionIsSymmetrisedMeanSoftmax()
    {
        const std::vector<std::vector<double>> logits{{2, 0, -1}, {0.5, 0.1, 0}, {0, 3, 1}, {-2, 0, 2}, {1, 1, 1}};
        const std::vector<std::int64_t> y{0, 0, 1, 2, 2};
        at::Tensor z = at::empty({5, 3}, at::kDouble);
        for (int i = 0; i < 5; ++i)
            for (int j = 0; j < 3; ++j)
                z[i][j] = logits[i][j];
        const at::Tensor s = confusionClassSimilarity(z.to(at::kFloat), at::tensor(y));
        expectSymmetric(s);
        std::vector<std::vector<double>> m(3, std::vector<double>(3, 0.0));
        std::vector<int> count(3, 0);
        for (int i = 0; i < 5; ++i) {
            double total = 0;
            for (double v : logits[i])
                total += std::exp(v);
            for (int j = 0; j < 3; ++j)
                m[y[i]][j] += std::exp(logits[i][j]) / total;
            ++count[y[i]];
        }
        for (int a = 0; a < 3; ++a)
            for (int b = 0; b < 3; ++b) {
                const double expected = (m[a][b] / count[a] + m[b][a] / count[b]) / 2;
                QVERIFY2(std::abs(s[a][b].item<double>() - expected) < 1e-6, qPrintable(QString("%1 %2").arg(a).arg(b)));
            }
    }

    void fileCsvAndWordVectors()
    {
        QTemporaryDir dir;
        const std::string csv = dir.filePath("s.CSV").toStdString();
        std::ofstream(csv) << ",cat,dog\ncat,1,0.8\ndog,0.8,1\n";
        const at::Tensor s = fileClassSimilarity(csv, {"cat", "dog"});
        expectSymmetric(s);
        QVERIFY(at::allclose(s, at::tensor({1.0f, 0.8f, 0.8f, 1.0f}).view({2, 2})));

        const std::string vec = dir.filePath("glove.txt").toStdString();
        std::ofstream(vec) << "cat 1 0 0\ndog 0.6 0.8 0\nankle 0 0 1\nboot 0 1 1\n";
        const at::Tensor w = fileClassSimilarity(vec, {"cat", "dog", "Ankle boot"});
        expectSymmetric(w);
        // Ankle boot = mean(ankle, boot) = (0, 0.5, 1).
        const std::vector<std::vector<double>> v{{1, 0, 0}, {0.6, 0.8, 0}, {0, 0.5, 1}};
        for (int a = 0; a < 3; ++a)
            for (int b = 0; b < 3; ++b)
                QVERIFY(std::abs(w[a][b].item<double>() - (a == b ? 1.0 : cosine(v[a], v[b]))) < 1e-6);
        QVERIFY_THROWS_EXCEPTION(DataError, fileClassSimilarity(vec, {"cat", "unicorn"}));
    }
};

QTEST_GUILESS_MAIN(TestClassSimilarity)
#include "test_class_similarity.moc"
