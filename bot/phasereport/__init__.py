"""Closing reports of an emulation phase (báo cáo sơ kết / tổng kết) and their milestones."""
