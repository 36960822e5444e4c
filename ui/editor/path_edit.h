#pragma once
// A path field: a line edit with a browse button that opens a file or folder dialog.
#include <QLineEdit>
#include <QWidget>

namespace scns {

class PathEdit : public QWidget {
    Q_OBJECT
public:
    enum class Mode { OpenFile, Folder };
    PathEdit(Mode mode, QString filter, QWidget* parent = nullptr);

    QString text() const { return m_edit->text(); }
    void setText(const QString& text) { m_edit->setText(text); }
    QLineEdit* lineEdit() const { return m_edit; }

Q_SIGNALS:
    void textChanged(const QString& text);

private:
    void browse();

    Mode m_mode;
    QString m_filter;
    QLineEdit* m_edit;
};

}  // namespace scns
