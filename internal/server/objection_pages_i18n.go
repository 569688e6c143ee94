package server

import "maps"

// Strings of the objection pages (异议, issue 7): the portal's form, status
// page and list, and the console's queue and case page. zh-CN first.

func init() {
	maps.Copy(chinese, objectionChinese)
	maps.Copy(english, objectionEnglish)
}

var objectionChinese = map[string]string{
	"objection.title": "提出异议", "objection.filed": "异议已提交", "objection.status": "异议处理结果查询", "objection.list": "我的异议",
	"objection.intro":  "认为本条信息有误的，可以提出异议。异议处理期间，该信息在门户网站上标注“异议处理中”。",
	"objection.limits": "答复时限", "objection.limits.own": "个工作日内答复（平台自行核实）；需转交信息提供单位核实的，", "objection.limits.fwd": "个工作日内答复。",
	"objection.record": "异议信息", "objection.subject": "信用主体", "objection.as_subject": "您以信用主体身份对本主体的信息提出异议。",
	"objection.as_public": "您以社会公众身份对公示信息提出异议，请填写姓名和联系方式，以便告知处理结果。",
	"objection.name":      "姓名", "objection.contact": "联系电话或电子邮箱", "objection.optional": "（选填）",
	"objection.fields": "有异议的信息项", "objection.fields.hint": "可多选；不选即对整条信息提出异议。", "objection.fields.all": "整条信息",
	"objection.reasons": "异议理由", "objection.evidence": "证据材料说明", "objection.evidence.hint": "可写明证明材料的名称、编号及其内容（如决定书原件、缴款凭证）。",
	"objection.submit": "提交异议", "objection.id": "异议编号", "objection.state": "处理状态", "objection.filed_on": "提出日期",
	"objection.deadline": "答复期限", "objection.deadline.text": "个工作日，至", "objection.overdue": "已逾期", "objection.keep": "请记下异议编号。",
	"objection.keep.public": "凭异议编号和您填写的联系方式，可随时查询处理结果：", "objection.keep.subject": "您也可以在“我的异议”中查看：",
	"objection.lookup": "查询", "objection.lookup.title": "查询异议处理结果", "objection.lookup.hint": "请输入异议编号和提出异议时填写的联系方式。信用主体登录后可直接查看本主体的全部异议。",
	"objection.lookup.none": "没有找到该异议，请核对异议编号和联系方式。",
	"objection.open":        "已有异议正在处理", "objection.open.text": "您对本条信息提出的异议正在处理，答复前不能重复提出：",
	"objection.withdrawn": "该信息已撤回，无须提出异议。", "objection.back": "返回信用主体页面",
	"objection.outcome": "处理结果", "objection.outcome.corrected": "更正", "objection.outcome.deleted": "删除", "objection.outcome.upheld": "维持",
	"objection.resolution": "答复", "objection.resolved_on": "答复日期", "objection.res_reasons": "理由", "objection.corrections": "更正内容",
	"objection.record_version": "更正后的信息版本", "objection.late": "逾期答复", "objection.forwarded": "转交信息提供单位", "objection.forward_note": "转交说明",
	"objection.history": "处理记录", "objection.filer": "异议人", "objection.filer.public": "社会公众（姓名和联系方式不向信用主体公开）",
	"objection.filer.subject": "信用主体本身", "objection.none": "暂无异议。", "objection.record.gone": "该信息已不再向您显示（已删除或已修复）。",
	"objection.state.filed": "异议处理中", "objection.state.forwarded": "异议处理中（已转交信息提供单位）", "objection.state.resolved": "异议已办结",
	"objection.form.expired": "表单已过期，请重新提交。", "objection.signin": "信用主体请先登录，以主体身份提出异议：",
	"objection.err.invalid": "异议未能提交，请按提示修改：", "objection.err.not_found": "未找到该信息，或该信息未公示、您无权对其提出异议。",
	"objection.err.conflict": "异议未能提交：", "objection.err.forbidden": "无权操作：",
	"objection.err.reasons.required": "请填写异议理由。", "objection.err.name.objection.filer": "请填写姓名和联系方式，以便告知处理结果。",
	"objection.err.fields.objection.field": "所选信息项不属于本条信息。", "objection.err.reasons.objection.length": "异议理由不超过 5000 字。",
	"objection.err.evidence.objection.length": "证据材料说明不超过 20000 字。", "objection.err.contact.objection.length": "姓名和联系方式各不超过 200 字。",
	"objection.err.outcome.objection.outcome": "请选择处理结果：更正、删除或维持。", "objection.err.reasons.required.answer": "每项答复都须说明理由。",
	"objection.err.corrections.objection.corrections": "更正时须填写更正后的信息项内容；删除或维持时不填写更正内容。",
	"objection.err.corrections.objection.field":       "更正的信息项不属于本条信息。",
	// console
	"console.objections": "异议处理", "objection.queue.open": "只看处理中", "objection.queue.overdue": "只看已逾期", "objection.queue.filter": "筛选",
	"objection.queue.count": "件", "objection.queue.limit": "最多显示 500 件。",
	"objection.forward": "转交信息提供单位核实", "objection.forward.about": "平台无法自行核实的，转交作出决定的部门，答复期限改为",
	"objection.resolve": "作出答复", "objection.resolve.corrections": "更正内容（仅“更正”时填写；只填写需要更正的信息项，留空即不变）",
	"objection.current": "现有内容", "objection.corrected_value": "更正为", "objection.done": "已办理。",
	"objection.note": "说明", "objection.version": "版本",
}

var objectionEnglish = map[string]string{
	"objection.title": "Raise an objection", "objection.filed": "Objection filed", "objection.status": "Objection status", "objection.list": "My objections",
	"objection.intro":  "If you believe this information is wrong, you may object to it. While the objection is handled, the portal shows the record marked “异议处理中” (objection being handled).",
	"objection.limits": "Time limits", "objection.limits.own": "working days to answer (the platform checks itself); when the source department must check it,", "objection.limits.fwd": "working days.",
	"objection.record": "Information disputed", "objection.subject": "Credit subject", "objection.as_subject": "You object as the credit subject, to your own information.",
	"objection.as_public": "You object as a member of the public to published information: give your name and a contact so that the answer can reach you.",
	"objection.name":      "Name", "objection.contact": "Phone or e-mail", "objection.optional": " (optional)",
	"objection.fields": "Fields disputed", "objection.fields.hint": "Choose any; none means the whole record.", "objection.fields.all": "the whole record",
	"objection.reasons": "Reasons", "objection.evidence": "Evidence", "objection.evidence.hint": "Name the documents that prove it, with their numbers and what they show (e.g. the original decision, a payment receipt).",
	"objection.submit": "File the objection", "objection.id": "Objection number", "objection.state": "State", "objection.filed_on": "Filed on",
	"objection.deadline": "Answer due", "objection.deadline.text": "working days, by", "objection.overdue": "overdue", "objection.keep": "Note the objection number.",
	"objection.keep.public": "With the number and the contact you gave, look up the answer at any time:", "objection.keep.subject": "Signed in, you also find it under “My objections”:",
	"objection.lookup": "Look up", "objection.lookup.title": "Look up an objection", "objection.lookup.hint": "Enter the objection number and the contact you gave when filing. A credit subject signed in sees all its objections directly.",
	"objection.lookup.none": "No such objection: check the number and the contact.",
	"objection.open":        "An objection is being handled", "objection.open.text": "Your objection to this record is being handled; you may not raise another until it is answered:",
	"objection.withdrawn": "This record was withdrawn: there is nothing to object to.", "objection.back": "Back to the subject's page",
	"objection.outcome": "Outcome", "objection.outcome.corrected": "corrected", "objection.outcome.deleted": "deleted", "objection.outcome.upheld": "upheld",
	"objection.resolution": "Answer", "objection.resolved_on": "Answered on", "objection.res_reasons": "Reasons", "objection.corrections": "Corrections",
	"objection.record_version": "Record version after the answer", "objection.late": "answered late", "objection.forwarded": "Forwarded to the source department", "objection.forward_note": "Note",
	"objection.history": "History", "objection.filer": "Filed by", "objection.filer.public": "a member of the public (name and contact are not shown to the subject)",
	"objection.filer.subject": "the credit subject itself", "objection.none": "No objections.", "objection.record.gone": "The record is no longer shown to you (deleted or repaired).",
	"objection.state.filed": "being handled", "objection.state.forwarded": "being handled (forwarded to the source department)", "objection.state.resolved": "answered",
	"objection.form.expired": "The form expired; please submit it again.", "objection.signin": "Credit subjects: sign in first to object as the subject:",
	"objection.err.invalid": "The objection was not filed; please correct:", "objection.err.not_found": "No such record, or it is not published and you may not object to it.",
	"objection.err.conflict": "The objection was not filed:", "objection.err.forbidden": "Not allowed:",
	"objection.err.reasons.required": "State the reasons.", "objection.err.name.objection.filer": "Give your name and a contact so that the answer can reach you.",
	"objection.err.fields.objection.field": "A field chosen is not a field of this record.", "objection.err.reasons.objection.length": "Reasons are at most 5000 characters.",
	"objection.err.evidence.objection.length": "Evidence is at most 20000 characters.", "objection.err.contact.objection.length": "Name and contact are at most 200 characters each.",
	"objection.err.outcome.objection.outcome": "Choose the outcome: corrected, deleted or upheld.", "objection.err.reasons.required.answer": "Every answer states its reasons.",
	"objection.err.corrections.objection.corrections": "A correction names the corrected fields and values; deleted or upheld take no corrections.",
	"objection.err.corrections.objection.field":       "A corrected field is not a field of this record.",
	// console
	"console.objections": "Objections", "objection.queue.open": "Open only", "objection.queue.overdue": "Overdue only", "objection.queue.filter": "Filter",
	"objection.queue.count": "objections", "objection.queue.limit": "At most 500 are shown.",
	"objection.forward": "Forward to the source department", "objection.forward.about": "When the platform cannot check it alone, the department that decided checks it; the answer is then due on",
	"objection.resolve": "Answer", "objection.resolve.corrections": "Corrections (only with “corrected”; fill in only the fields to correct, blank leaves a field as it is)",
	"objection.current": "Now", "objection.corrected_value": "Correct to", "objection.done": "Done.",
	"objection.note": "Note", "objection.version": "Version",
}
