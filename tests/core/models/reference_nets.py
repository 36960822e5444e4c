"""Independent PyTorch definitions of networks of the CIFAR distillation zoo, written from the
architecture descriptions (core/models/*.h and the papers), not copied from RepDistiller. They
serve as the Python side of the parity tests (test_parity, parity_tool.py) and of the model
throughput benchmark (bench/model_throughput.py). Parameter names match RepDistiller's, so
state dicts move between these, RepDistiller and scns unchanged.

    build(arch, num_classes=100, in_channels=3) -> nn.Module whose forward(x) gives logits
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


def conv3x3(cin, cout, stride=1, bias=False, groups=1):
    return nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=bias, groups=groups)


def conv1x1(cin, cout, stride=1):
    return nn.Conv2d(cin, cout, 1, stride=stride, bias=False)


def global_mean(x):
    return x.mean(dim=(2, 3))


# --- CIFAR ResNets (He et al. 2016, section 4.2): 6n + 2 layers of basic blocks -------------

class ResidualUnit(nn.Module):
    """conv-bn-relu, conv-bn, plus the identity or a strided 1x1 projection, then relu."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = conv3x3(cin, cout, stride)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = conv3x3(cout, cout)
        self.bn2 = nn.BatchNorm2d(cout)
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(conv1x1(cin, cout, stride), nn.BatchNorm2d(cout))
        else:
            self.downsample = None

    def forward(self, x):
        y = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        shortcut = x if self.downsample is None else self.downsample(x)
        return F.relu(y + shortcut)


class CifarResNet(nn.Module):
    def __init__(self, depth, widths, num_classes, in_channels=3):
        super().__init__()
        assert (depth - 2) % 6 == 0
        units = (depth - 2) // 6
        self.conv1 = conv3x3(in_channels, widths[0])
        self.bn1 = nn.BatchNorm2d(widths[0])
        stages, cin = [], widths[0]
        for width, stride in zip(widths[1:], (1, 2, 2)):
            blocks = []
            for i in range(units):
                blocks.append(ResidualUnit(cin, width, stride if i == 0 else 1))
                cin = width
            stages.append(nn.Sequential(*blocks))
        self.layer1, self.layer2, self.layer3 = stages
        self.fc = nn.Linear(widths[3], num_classes)

    def forward(self, x):
        h = F.relu(self.bn1(self.conv1(x)))
        h = self.layer3(self.layer2(self.layer1(h)))
        return self.fc(global_mean(h))


# --- Wide ResNets (Zagoruyko and Komodakis 2016): pre-activation, depth 6n + 4 -------------

class PreActUnit(nn.Module):
    """bn-relu-conv, bn-relu-conv; when the shape changes, the shortcut is a 1x1 convolution
    of the pre-activated input, otherwise the input itself."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(cin)
        self.conv1 = conv3x3(cin, cout, stride)
        self.bn2 = nn.BatchNorm2d(cout)
        self.conv2 = conv3x3(cout, cout)
        self.project = cin != cout
        if self.project:
            self.convShortcut = conv1x1(cin, cout, stride)

    def forward(self, x):
        a = F.relu(self.bn1(x))
        y = self.conv2(F.relu(self.bn2(self.conv1(a))))
        return (self.convShortcut(a) if self.project else x) + y


class WideStage(nn.Module):
    def __init__(self, units, cin, cout, stride):
        super().__init__()
        self.layer = nn.Sequential(*[PreActUnit(cin if i == 0 else cout, cout, stride if i == 0 else 1)
                                     for i in range(units)])

    def forward(self, x):
        return self.layer(x)


class WideResNet(nn.Module):
    def __init__(self, depth, k, num_classes, in_channels=3):
        super().__init__()
        units = (depth - 4) // 6
        w = [16, 16 * k, 32 * k, 64 * k]
        self.conv1 = conv3x3(in_channels, w[0])
        self.block1 = WideStage(units, w[0], w[1], 1)
        self.block2 = WideStage(units, w[1], w[2], 2)
        self.block3 = WideStage(units, w[2], w[3], 2)
        self.bn1 = nn.BatchNorm2d(w[3])
        self.fc = nn.Linear(w[3], num_classes)

    def forward(self, x):
        h = self.block3(self.block2(self.block1(self.conv1(x))))
        return self.fc(global_mean(F.relu(self.bn1(h))))


# --- VGG with batch norm (Simonyan and Zisserman 2015), CIFAR variant ----------------------

VGG_STAGES = {8: [[64], [128], [256], [512], [512]],
              11: [[64], [128], [256, 256], [512, 512], [512, 512]],
              13: [[64, 64], [128, 128], [256, 256], [512, 512], [512, 512]]}


def vgg_stage(widths, cin):
    """conv3x3(bias)-bn, with a relu between consecutive pairs; the stage's last relu is
    applied by the caller. Sequential indices: conv 0, bn 1, relu 2, conv 3, ..."""
    layers = []
    for i, w in enumerate(widths):
        if i:
            layers.append(nn.ReLU())
        layers += [conv3x3(cin, w, bias=True), nn.BatchNorm2d(w)]
        cin = w
    return nn.Sequential(*layers)


class VGG(nn.Module):
    def __init__(self, depth, num_classes, in_channels=3):
        super().__init__()
        cfg = VGG_STAGES[depth]
        cins = [in_channels] + [s[-1] for s in cfg[:-1]]
        for i, (widths, cin) in enumerate(zip(cfg, cins)):
            setattr(self, "block%d" % i, vgg_stage(widths, cin))
        self.classifier = nn.Linear(cfg[-1][-1], num_classes)

    def forward(self, x):
        h = F.max_pool2d(F.relu(self.block0(x)), 2)
        h = F.max_pool2d(F.relu(self.block1(h)), 2)
        h = F.max_pool2d(F.relu(self.block2(h)), 2)
        h = F.relu(self.block3(h))
        if x.shape[2] == 64:
            h = F.max_pool2d(h, 2)
        h = F.relu(self.block4(h))
        return self.classifier(global_mean(h))


# --- MobileNetV2 (Sandler et al. 2018), expansion 6, width 0.5 (RepDistiller's mobile_half) --

def conv_bn_relu(cin, cout, kernel, stride):
    return nn.Sequential(nn.Conv2d(cin, cout, kernel, stride, kernel // 2, bias=False),
                         nn.BatchNorm2d(cout), nn.ReLU())


class InvertedResidual(nn.Module):
    """1x1 expand-bn-relu, 3x3 depthwise-bn-relu, 1x1 project-bn; residual when the shape is
    kept. The expanding conv is there even at expansion 1."""

    def __init__(self, cin, cout, stride, t):
        super().__init__()
        hidden = cin * t
        self.residual = stride == 1 and cin == cout
        self.conv = nn.Sequential(
            nn.Conv2d(cin, hidden, 1, bias=False), nn.BatchNorm2d(hidden), nn.ReLU(),
            nn.Conv2d(hidden, hidden, 3, stride, 1, groups=hidden, bias=False), nn.BatchNorm2d(hidden), nn.ReLU(),
            nn.Conv2d(hidden, cout, 1, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        return x + self.conv(x) if self.residual else self.conv(x)


class MobileNetV2(nn.Module):
    # (expansion, channels, repeats, stride); expansion None means 1.
    STAGES = [(None, 16, 1, 1), (6, 24, 2, 1), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
              (6, 160, 3, 2), (6, 320, 1, 1)]

    def __init__(self, num_classes, in_channels=3, t=6, width=0.5):
        super().__init__()
        cin = int(32 * width)
        self.conv1 = conv_bn_relu(in_channels, cin, 3, 2)
        stages = []
        for expand, c, n, s in self.STAGES:
            cout = int(c * width)
            units = []
            for i in range(n):
                units.append(InvertedResidual(cin, cout, s if i == 0 else 1, 1 if expand is None else t))
                cin = cout
            stages.append(nn.Sequential(*units))
        self.blocks = nn.ModuleList(stages)
        last = int(1280 * width) if width > 1.0 else 1280
        self.conv2 = conv_bn_relu(cin, last, 1, 1)
        self.classifier = nn.Sequential(nn.Linear(last, num_classes))

    def forward(self, x):
        h = self.conv1(x)
        for stage in self.blocks:
            h = stage(h)
        return self.classifier(global_mean(self.conv2(h)))


# --- ShuffleNet V2 1x (Ma et al. 2018), CIFAR variant with a 1x1 stem -------------------------

def shuffle(x, groups=2):
    n, c, h, w = x.shape
    return x.reshape(n, groups, c // groups, h, w).transpose(1, 2).reshape(n, c, h, w)


class ShuffleUnit(nn.Module):
    """Keeps the first half of the channels, transforms the second (1x1-bn-relu, 3x3 dw-bn,
    1x1-bn-relu), concatenates and shuffles."""

    def __init__(self, c):
        super().__init__()
        h = c // 2
        self.half = h
        self.conv1, self.bn1 = conv1x1(h, h), nn.BatchNorm2d(h)
        self.conv2, self.bn2 = conv3x3(h, h, groups=h), nn.BatchNorm2d(h)
        self.conv3, self.bn3 = conv1x1(h, h), nn.BatchNorm2d(h)

    def forward(self, x):
        keep, work = x[:, :self.half], x[:, self.half:]
        y = F.relu(self.bn1(self.conv1(work)))
        y = self.bn2(self.conv2(y))
        y = F.relu(self.bn3(self.conv3(y)))
        return shuffle(torch.cat([keep, y], 1))


class ShuffleDownUnit(nn.Module):
    """Two stride-2 branches of cout/2 channels on the whole input: (3x3 dw-bn, 1x1-bn-relu)
    and (1x1-bn-relu, 3x3 dw-bn, 1x1-bn-relu); concatenated and shuffled."""

    def __init__(self, cin, cout):
        super().__init__()
        mid = cout // 2
        self.conv1, self.bn1 = conv3x3(cin, cin, 2, groups=cin), nn.BatchNorm2d(cin)
        self.conv2, self.bn2 = conv1x1(cin, mid), nn.BatchNorm2d(mid)
        self.conv3, self.bn3 = conv1x1(cin, mid), nn.BatchNorm2d(mid)
        self.conv4, self.bn4 = conv3x3(mid, mid, 2, groups=mid), nn.BatchNorm2d(mid)
        self.conv5, self.bn5 = conv1x1(mid, mid), nn.BatchNorm2d(mid)

    def forward(self, x):
        a = F.relu(self.bn2(self.conv2(self.bn1(self.conv1(x)))))
        b = F.relu(self.bn3(self.conv3(x)))
        b = F.relu(self.bn5(self.conv5(self.bn4(self.conv4(b)))))
        return shuffle(torch.cat([a, b], 1))


class ShuffleNetV2(nn.Module):
    def __init__(self, num_classes, in_channels=3, widths=(116, 232, 464, 1024), units=(3, 7, 3)):
        super().__init__()
        self.conv1, self.bn1 = conv1x1(in_channels, 24), nn.BatchNorm2d(24)
        cin, stages = 24, []
        for w, n in zip(widths[:3], units):
            stages.append(nn.Sequential(ShuffleDownUnit(cin, w), *[ShuffleUnit(w) for _ in range(n)]))
            cin = w
        self.layer1, self.layer2, self.layer3 = stages
        self.conv2, self.bn2 = conv1x1(cin, widths[3]), nn.BatchNorm2d(widths[3])
        self.linear = nn.Linear(widths[3], num_classes)

    def forward(self, x):
        h = F.relu(self.bn1(self.conv1(x)))
        h = self.layer3(self.layer2(self.layer1(h)))
        return self.linear(global_mean(F.relu(self.bn2(self.conv2(h)))))


def _resnet(depth, widths):
    return lambda k, c: CifarResNet(depth, widths, k, c)


BASE, WIDE = [16, 16, 32, 64], [32, 64, 128, 256]
ARCHS = {
    "resnet8": _resnet(8, BASE), "resnet14": _resnet(14, BASE), "resnet20": _resnet(20, BASE),
    "resnet32": _resnet(32, BASE), "resnet56": _resnet(56, BASE),
    "resnet8x4": _resnet(8, WIDE), "resnet32x4": _resnet(32, WIDE),
    "wrn_16_1": lambda k, c: WideResNet(16, 1, k, c), "wrn_16_2": lambda k, c: WideResNet(16, 2, k, c),
    "wrn_40_1": lambda k, c: WideResNet(40, 1, k, c), "wrn_40_2": lambda k, c: WideResNet(40, 2, k, c),
    "vgg8": lambda k, c: VGG(8, k, c), "vgg11": lambda k, c: VGG(11, k, c), "vgg13": lambda k, c: VGG(13, k, c),
    "MobileNetV2": lambda k, c: MobileNetV2(k, c),
    "ShuffleV2": lambda k, c: ShuffleNetV2(k, c),
}


def build(arch, num_classes=100, in_channels=3):
    if arch not in ARCHS:
        raise SystemExit("reference_nets: unknown architecture %r (known: %s)" % (arch, ", ".join(ARCHS)))
    return ARCHS[arch](num_classes, in_channels)
