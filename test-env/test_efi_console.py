"""Menus over a serial line (issue 8, console): GRUB's and systemd-boot's
menus and editors, driven by keys typed on the VM's serial port, as a user
at a serial console would. Each key travels as the bytes a VT100/xterm
sends (arrows ESC [ A/B, End ESC [ F, control characters, text), through
wireboot's serial input and escape-sequence parser, to the program as
Simple Text Input (Ex) keys.

Every menu here has a 60 s timeout whose default entry boots WITHOUT the
marker the test asks for: if a key is lost or misread, the default boots
and the test fails on the kernel's command line, not by hanging."""
import re
import shutil
import time

import diskimg
from test_netboot_loaders import APPEND, GRUBNET, MARKER, demo, need  # noqa: F401
from wbqemu import Vm

UP, DOWN, END = b"\x1b[A", b"\x1b[B", b"\x1b[F"
CTRL_E, CTRL_X = b"\x05", b"\x18"


def grub_menu_tree(root, demo, cfg):
    """grubnetx64 on a TFTP root with the demo kernel and initrd and the
    given grub.cfg."""
    (root / "grub").mkdir(parents=True, exist_ok=True)
    shutil.copy(GRUBNET, root / "grubnetx64.efi")
    for f in ("vmlinuz", "initrd.img"):
        shutil.copy(demo / f, root / f)
    (root / "grub" / "grub.cfg").write_text(cfg)
    return root


def grub_entry(title, token):
    return (f"menuentry '{title}' {{\n"
            f"\tlinux /vmlinuz {APPEND} wb.token={token}\n"
            "\tinitrd /initrd.img\n"
            "}\n")


def keys(run, *seq, gap=0.3):
    """Type each item of seq as one write, gap seconds apart (a person
    types slower than a program reads)."""
    for k in seq:
        run.type(k)
        time.sleep(gap)


def booted_cmdline(run):
    m = run.wait_for(MARKER + r"\r?\n", timeout=300)
    r = run.finish(timeout=60)
    assert m, f"initramfs marker missing; see {r.log}\n" + "\n".join(
        r.output.splitlines()[-20:])
    assert "CPU exception" not in r.output, f"see {r.log}"
    return re.search(MARKER, r.output).group(1).split(), r


def grub_vm(tree, name):
    return Vm(entry="pvh", machine="q35", memory="512M", name=name,
              netdevs=[f"user,id=n0,tftp={tree},bootfile=grubnetx64.efi"],
              nics=["virtio-net-pci,netdev=n0"])


def test_grub_menu_arrow_down_and_enter(demo, tmp_path, vm_name):
    need(GRUBNET, "grub-efi-amd64-bin")
    tree = grub_menu_tree(tmp_path, demo, "set timeout=60\n" + grub_entry("wb first", "first")
                          + grub_entry("wb second", "second"))
    run = grub_vm(tree, vm_name).start(keyboard=True)
    # GRUB draws the menu, then counts down under it.
    assert run.wait_for(r"wb second", timeout=300), f"no GRUB menu; see {run.log_path}"
    assert run.wait_for(r"executed automatically", timeout=60), f"see {run.log_path}"
    keys(run, DOWN, b"\r")
    cmdline, r = booted_cmdline(run)
    assert "wb.token=second" in cmdline, f"{cmdline}; see {r.log}"
    assert r.lines(r"efi: starting grubnetx64\.efi")


def test_grub_editor_appends_to_the_kernel_command_line(demo, tmp_path, vm_name):
    need(GRUBNET, "grub-efi-amd64-bin")
    tree = grub_menu_tree(tmp_path, demo, "set timeout=60\n" + grub_entry("wb demo", vm_name))
    run = grub_vm(tree, vm_name).start(keyboard=True)
    assert run.wait_for(r"executed automatically", timeout=300), f"no GRUB menu; see {run.log_path}"
    run.type(b"e")
    # The editor: its help text is under the entry's lines.
    assert run.wait_for(r"Emacs-like", timeout=60), f"no GRUB editor; see {run.log_path}"
    time.sleep(0.5)
    # GRUB shows setparams, a blank line, linux, initrd and an empty last
    # line. Down past the end stops on that last line; up two is the linux
    # line; Ctrl-E to its end, type, Ctrl-X boots the edited entry.
    keys(run, *[DOWN] * 6, UP, UP, CTRL_E, b" wb.edited=grub", CTRL_X)
    cmdline, r = booted_cmdline(run)
    assert "wb.edited=grub" in cmdline, f"{cmdline}; see {r.log}"
    assert f"wb.token={vm_name}" in cmdline


def test_systemd_boot_editor_over_serial(demo, tmp_path, vm_name):
    uki = diskimg.make_uki(tmp_path / "uki", f"{APPEND} wb.token={vm_name}")
    img = diskimg.systemd_boot_uki(tmp_path / "sd.img", uki,
                                   loader_conf="timeout 60\nconsole-mode keep\neditor yes\n")
    vm = Vm(entry="pvh", machine="q35", memory="512M", name=vm_name, disks=[str(img)])
    run = vm.start(keyboard=True)
    # systemd-boot's menu lists the UKI by its os-release name.
    assert run.wait_for(r"wireboot UKI test", timeout=300), f"no menu; see {run.log_path}"
    time.sleep(1)
    # 'e' edits the entry's command line (a UKI's .cmdline, passed as
    # LoadOptions, which systemd-stub takes without Secure Boot); End goes
    # to its end; Enter boots.
    keys(run, b"e", END, b" wb.edited=sdboot", b"\r")
    cmdline, r = booted_cmdline(run)
    assert "wb.edited=sdboot" in cmdline, f"{cmdline}; see {r.log}"
    assert f"wb.token={vm_name}" in cmdline
