// scns-workbench: placeholder main until the MainWindow lands.
#include <QApplication>
#include <QLabel>

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QLabel label(QStringLiteral("SCNS Workbench"));
  label.show();
  return app.exec();
}
