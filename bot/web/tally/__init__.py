"""The tally pages (/thong-ke: any unit in scope, any period, drill-down, chart) and the
downloads page (/tai-ve: the viewer's file links, and forms that make the chat's files)."""
