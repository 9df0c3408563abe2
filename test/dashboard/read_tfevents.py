"""Reads TensorBoard event files with Google's protobuf runtime and crcmod's CRC-32C, independently
of our TypeScript writer: checks each TFRecord's masked CRCs, parses Event/Summary/HistogramProto
from a descriptor built here (TensorFlow's field numbers), and prints the events as JSON lines.
Usage: /usr/bin/python3 read_tfevents.py FILE"""
import json
import struct
import sys

import crcmod.predefined
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

F = descriptor_pb2.FieldDescriptorProto


def build():
    fd = descriptor_pb2.FileDescriptorProto(name="tb_events_check.proto", package="tbcheck")

    def msg(name, fields):
        m = fd.message_type.add(name=name)
        for (fname, num, ftype, label, type_name, packed) in fields:
            f = m.field.add(name=fname, number=num, type=ftype, label=label)
            if type_name:
                f.type_name = type_name
            if packed:
                f.options.packed = True

    O, R = F.LABEL_OPTIONAL, F.LABEL_REPEATED
    msg("HistogramProto", [
        ("min", 1, F.TYPE_DOUBLE, O, None, False), ("max", 2, F.TYPE_DOUBLE, O, None, False),
        ("num", 3, F.TYPE_DOUBLE, O, None, False), ("sum", 4, F.TYPE_DOUBLE, O, None, False),
        ("sum_squares", 5, F.TYPE_DOUBLE, O, None, False),
        ("bucket_limit", 6, F.TYPE_DOUBLE, R, None, True), ("bucket", 7, F.TYPE_DOUBLE, R, None, True)])
    msg("Value", [("tag", 1, F.TYPE_STRING, O, None, False), ("simple_value", 2, F.TYPE_FLOAT, O, None, False),
                  ("histo", 5, F.TYPE_MESSAGE, O, ".tbcheck.HistogramProto", False)])
    msg("Summary", [("value", 1, F.TYPE_MESSAGE, R, ".tbcheck.Value", False)])
    msg("Event", [("wall_time", 1, F.TYPE_DOUBLE, O, None, False), ("step", 2, F.TYPE_INT64, O, None, False),
                  ("file_version", 3, F.TYPE_STRING, O, None, False),
                  ("summary", 5, F.TYPE_MESSAGE, O, ".tbcheck.Summary", False)])
    pool = descriptor_pool.DescriptorPool()
    pool.Add(fd)
    desc = pool.FindMessageTypeByName("tbcheck.Event")
    try:
        return message_factory.GetMessageClass(desc)
    except AttributeError:
        return message_factory.MessageFactory(pool).GetPrototype(desc)


crc = crcmod.predefined.mkCrcFun("crc-32c")


def masked(b):
    c = crc(b)
    return ((((c >> 15) | (c << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


def main(path):
    Event = build()
    data = open(path, "rb").read()
    pos = 0
    while pos < len(data):
        header = data[pos:pos + 8]
        (length,) = struct.unpack("<Q", header)
        (hcrc,) = struct.unpack("<I", data[pos + 8:pos + 12])
        if hcrc != masked(header):
            raise SystemExit(f"bad length CRC at byte {pos}")
        body = data[pos + 12:pos + 12 + length]
        (bcrc,) = struct.unpack("<I", data[pos + 12 + length:pos + 16 + length])
        if bcrc != masked(body):
            raise SystemExit(f"bad data CRC at byte {pos}")
        pos += 16 + length
        ev = Event()
        ev.ParseFromString(body)
        out = {"wall_time": ev.wall_time, "step": ev.step}
        if ev.file_version:
            out["file_version"] = ev.file_version
        scalars, histos = {}, {}
        for v in ev.summary.value:
            if v.HasField("histo"):
                h = v.histo
                histos[v.tag] = {"min": h.min, "max": h.max, "num": h.num, "sum": h.sum, "sum_squares": h.sum_squares,
                                 "bucket_limit": list(h.bucket_limit), "bucket": list(h.bucket)}
            else:
                scalars[v.tag] = v.simple_value
        out["scalars"] = scalars
        out["histograms"] = histos
        print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
