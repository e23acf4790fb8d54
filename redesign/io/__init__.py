"""File formats in and out: native JSON, CSV/XLSX, BPMN 2.0, Mermaid."""
