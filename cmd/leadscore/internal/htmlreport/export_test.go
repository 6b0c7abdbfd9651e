package htmlreport

// IsolateTextForTest lets the external tests call isolateText.
var IsolateTextForTest = isolateText
