"""Reports: forms as data, field kinds, saving, numbering and urgent alerts."""
