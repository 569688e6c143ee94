package gen

// Reference tables of the synthetic province (Gansu). Division codes are
// GB/T 2260 codes of Gansu's prefecture-level cities and some of their
// districts and counties; weights are rough population shares.

type city struct {
	name     string // 兰州
	full     string // 兰州市
	abbr     string // 兰 (used in document numbers)
	code     string // 620100
	weight   int
	counties []county
}

type county struct {
	code, name string
}

var province = struct{ name, full, abbr, code string }{"甘肃", "甘肃省", "甘", "620000"}

var cities = []city{
	{"兰州", "兰州市", "兰", "620100", 44, []county{{"620102", "城关区"}, {"620103", "七里河区"}, {"620104", "西固区"}, {"620105", "安宁区"}, {"620111", "红古区"}, {"620122", "皋兰县"}, {"620123", "榆中县"}}},
	{"嘉峪关", "嘉峪关市", "嘉", "620200", 3, []county{{"620200", "嘉峪关市"}}},
	{"金昌", "金昌市", "金", "620300", 4, []county{{"620302", "金川区"}, {"620321", "永昌县"}}},
	{"白银", "白银市", "白", "620400", 15, []county{{"620402", "白银区"}, {"620403", "平川区"}, {"620423", "景泰县"}}},
	{"天水", "天水市", "天", "620500", 30, []county{{"620502", "秦州区"}, {"620503", "麦积区"}, {"620523", "甘谷县"}, {"620524", "武山县"}, {"620525", "张家川回族自治县"}}},
	{"武威", "武威市", "武", "620600", 14, []county{{"620602", "凉州区"}, {"620623", "天祝藏族自治县"}}},
	{"张掖", "张掖市", "张", "620700", 11, []county{{"620702", "甘州区"}, {"620723", "临泽县"}, {"620724", "高台县"}}},
	{"平凉", "平凉市", "平", "620800", 18, []county{{"620802", "崆峒区"}, {"620823", "崇信县"}, {"620825", "庄浪县"}, {"620826", "静宁县"}}},
	{"酒泉", "酒泉市", "酒", "620900", 11, []county{{"620902", "肃州区"}, {"620923", "肃北蒙古族自治县"}, {"620924", "阿克塞哈萨克族自治县"}}},
	{"庆阳", "庆阳市", "庆", "621000", 22, []county{{"621002", "西峰区"}, {"621023", "华池县"}, {"621024", "合水县"}, {"621025", "正宁县"}, {"621026", "宁县"}}},
	{"定西", "定西市", "定", "621100", 25, []county{{"621102", "安定区"}, {"621123", "渭源县"}, {"621124", "临洮县"}, {"621125", "漳县"}, {"621126", "岷县"}}},
	{"陇南", "陇南市", "陇", "621200", 24, []county{{"621202", "武都区"}, {"621223", "宕昌县"}, {"621224", "康县"}, {"621225", "西和县"}, {"621226", "礼县"}}},
	{"临夏", "临夏回族自治州", "临", "622900", 21, []county{{"622901", "临夏市"}, {"622923", "永靖县"}, {"622924", "广河县"}, {"622925", "和政县"}, {"622926", "东乡族自治县"}}},
	{"甘南", "甘南藏族自治州", "南", "623000", 7, []county{{"623001", "合作市"}, {"623023", "舟曲县"}, {"623024", "迭部县"}, {"623025", "玛曲县"}, {"623026", "碌曲县"}}},
}

// Trade-name characters (字号), as they are commonly chosen.
var tradeChars = []rune("鑫源泰华丰盛祥瑞达通宏兴恒昌隆金鼎德润安康福顺佳和信诚建利宝永嘉荣晟博远天海新中联创欣腾宇辉凯吉庆昊峰鸿锦亿万汇聚景明光耀丰茂坤乾元正大方圆祥云陇原西部黄河丝路敦煌祁连")

var industries = []string{"商贸", "建筑工程", "餐饮管理", "物流", "农业科技", "房地产开发", "矿业", "化工", "食品", "医药", "机械设备", "汽车销售服务", "信息技术", "新能源", "建材", "酒店管理", "物业管理", "文化传媒", "环保科技", "劳务", "运输", "药业", "牧业", "果业", "电力工程", "装饰工程", "商砼", "煤业", "旅游开发", "农产品", "供应链管理", "电子科技", "水利工程", "市政工程", "石化", "冶金", "乳业", "种业", "中药材", "钢结构"}

var companySuffixes = []string{"有限公司", "有限公司", "有限公司", "有限公司", "有限公司", "有限公司", "有限公司", "有限责任公司", "有限责任公司", "股份有限公司"}

var shopKinds = []string{"便利店", "牛肉面馆", "餐馆", "五金店", "理发店", "汽车修理部", "建材经营部", "百货商店", "大药房", "烟酒店", "服装店", "农资经营部", "手机店", "水果店", "干洗店", "网吧", "粮油店", "小吃店", "副食店", "快递服务部", "家电维修部"}

var publicInstitutions = []string{"人民医院", "中医医院", "妇幼保健院", "疾病预防控制中心", "第一中学", "第二中学", "实验小学", "职业技术学校", "图书馆", "博物馆", "广播电视台", "水务管理站", "农业技术推广中心", "林业工作站", "公共资源交易中心", "供水公司", "社会福利院", "检验检测中心"}

var associations = []string{"餐饮行业协会", "建筑业协会", "个体劳动者协会", "物流协会", "旅游协会", "律师协会", "企业家协会", "摄影家协会", "书法家协会", "青年商会", "温州商会", "浙江商会", "红十字会", "消费者协会", "果业协会", "中药材产业协会"}

var privateNonEnterprises = []string{"职业培训学校", "幼儿园", "养老院", "社会工作服务中心", "康复中心", "文化艺术培训学校", "驾驶员培训学校", "民办医院", "书画院", "体育俱乐部"}

// Surnames, the common ones repeated to weight them.
var surnames = []rune("王王王王李李李李张张张张刘刘刘陈陈陈杨杨杨赵赵黄黄周周吴吴徐孙胡朱高林何郭马马马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文牛安包蒲达冶")

var givenChars = []rune("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英霞平刚桂华建国志红玉兰海燕鹏飞斌辉俊宇浩然欣怡子涵梓轩佳琪晨阳文博雪梅春生福德永胜有才玉珍淑珍凤英晓东晓燕德明立新建军小龙彦军旭东亚军")

// Sectors: one per kind of department. Each department is a sector at the
// province or a city level.
type sector struct {
	key        string
	prov, city string // department name after the province/city name
	abbr       string // 市监, 环, 应急 …
	pubSector  string // publication-regime sector (特种设备, 安全生产, 消防) when it applies
	cityLevel  bool   // the sector has city-level departments
	persons    bool   // penalises natural persons
	weight     int    // share of penalties
	lweight    int    // share of licences
	violations []violation
	licences   []licence
}

type violation struct {
	what  string // 违法行为类型 (CF_WFXW)
	fact  string // 违法事实 (CF_SY); %s is the subject's name
	basis string // 处罚依据 (CF_YJ)
	fine  [2]float64
	// Kinds of penalty typical for it beyond 罚款: extra[0] is added with
	// some probability.
	extra []string
	who   int // whoOrgs, whoBoth or whoPersons
}

const (
	whoOrgs    = 0 // organisations and individual businesses
	whoBoth    = 1 // anyone
	whoPersons = 2 // natural persons only
)

type licence struct {
	category string // 许可类别
	doc      string // 许可决定文书名称
	cert     string // 许可证书名称
	content  string // 许可内容
	years    int    // validity
	persons  bool   // granted to natural persons
	orgsOnly bool   // never to individual businesses
}

var sectors = []sector{
	{key: "market", prov: "市场监督管理局", city: "市场监督管理局", abbr: "市监", cityLevel: true, persons: true, weight: 30, lweight: 30,
		violations: []violation{
			{"销售不符合食品安全标准的食品", "%s销售超过保质期的食品，货值金额较小，违反了食品安全法的规定", "《中华人民共和国食品安全法》第一百二十四条", [2]float64{0.5, 5}, []string{"没收违法所得"}, whoOrgs},
			{"虚假宣传", "%s在经营活动中对商品的性能、功能作虚假的商业宣传，欺骗、误导消费者", "《中华人民共和国反不正当竞争法》第二十条", [2]float64{1, 20}, nil, whoOrgs},
			{"未按规定公示年度报告", "%s未按照规定公示年度报告，经责令限期改正逾期未改正", "《企业信息公示暂行条例》第十八条", [2]float64{0.1, 1}, nil, whoOrgs},
			{"价格违法", "%s在销售商品时未明码标价，收取未予标明的费用", "《中华人民共和国价格法》第四十二条", [2]float64{0.05, 0.5}, []string{"没收违法所得"}, whoOrgs},
			{"无照经营", "当事人%s未依法取得营业执照，擅自从事经营活动", "《无证无照经营查处办法》第十三条", [2]float64{0.05, 1}, []string{"没收违法所得"}, whoBoth},
			{"特种设备未定期检验", "%s使用未经定期检验的电梯（特种设备）", "《中华人民共和国特种设备安全法》第八十四条", [2]float64{3, 30}, []string{"责令停产停业"}, whoOrgs},
			{"计量器具违法", "%s使用未经检定的计量器具进行贸易结算", "《中华人民共和国计量法实施细则》第四十三条", [2]float64{0.1, 1}, nil, whoOrgs},
		},
		licences: []licence{
			{"普通", "食品经营许可决定书", "食品经营许可证", "预包装食品（含冷藏冷冻食品）销售，散装食品销售，热食类食品制售", 5, false, false},
			{"普通", "食品生产许可决定书", "食品生产许可证", "糕点、速冻食品、调味品生产", 5, false, false},
			{"核准", "特种设备使用登记决定书", "特种设备使用登记证", "电梯、压力容器使用登记", 4, false, true},
			{"普通", "工业产品生产许可决定书", "工业产品生产许可证", "建筑用钢筋、水泥生产", 5, false, true},
		}},
	{key: "eco", prov: "生态环境厅", city: "生态环境局", abbr: "环", cityLevel: true, weight: 12, lweight: 8,
		violations: []violation{
			{"超标排放大气污染物", "%s废气排放口颗粒物浓度超过国家排放标准", "《中华人民共和国大气污染防治法》第九十九条", [2]float64{10, 100}, []string{"责令停产停业"}, whoOrgs},
			{"未批先建", "%s建设项目环境影响报告表未经批准擅自开工建设", "《中华人民共和国环境影响评价法》第三十一条", [2]float64{5, 80}, nil, whoOrgs},
			{"危险废物贮存不规范", "%s未按规定设置危险废物识别标志，危险废物露天堆放", "《中华人民共和国固体废物污染环境防治法》第一百一十二条", [2]float64{10, 100}, nil, whoOrgs},
			{"无证排污", "%s未取得排污许可证排放污染物", "《排污许可管理条例》第三十三条", [2]float64{20, 100}, []string{"责令停产停业"}, whoOrgs},
		},
		licences: []licence{
			{"普通", "排污许可决定书", "排污许可证", "重点管理排污单位排放大气污染物、水污染物", 5, false, true},
			{"普通", "建设项目环境影响评价文件审批决定书", "", "建设项目环境影响报告表批复", 5, false, true},
		}},
	{key: "safety", prov: "应急管理厅", city: "应急管理局", abbr: "应急", pubSector: "安全生产", cityLevel: true, weight: 10, lweight: 4,
		violations: []violation{
			{"未落实安全生产主体责任", "%s未建立健全生产安全事故隐患排查治理制度", "《中华人民共和国安全生产法》第一百零二条", [2]float64{1, 10}, []string{"责令停产停业"}, whoOrgs},
			{"特种作业人员无证上岗", "%s安排未取得特种作业操作证的人员从事焊接作业", "《中华人民共和国安全生产法》第九十七条", [2]float64{1, 10}, nil, whoOrgs},
			{"危险化学品经营违法", "%s未取得危险化学品经营许可证经营危险化学品", "《危险化学品安全管理条例》第七十七条", [2]float64{10, 20}, []string{"没收违法所得", "没收非法财物"}, whoOrgs},
		},
		licences: []licence{
			{"特许", "安全生产许可决定书", "安全生产许可证", "非煤矿山开采、危险化学品生产", 3, false, true},
			{"普通", "危险化学品经营许可决定书", "危险化学品经营许可证", "危险化学品经营（不带储存设施）", 3, false, true},
		}},
	{key: "tax", prov: "税务局", city: "税务局", abbr: "税", cityLevel: true, weight: 14, lweight: 3,
		violations: []violation{
			{"未按期申报", "%s未按照规定期限办理纳税申报和报送纳税资料", "《中华人民共和国税收征收管理法》第六十二条", [2]float64{0.02, 0.2}, nil, whoOrgs},
			{"虚开发票", "%s为他人开具与实际经营业务情况不符的发票", "《中华人民共和国发票管理办法》第三十五条", [2]float64{5, 50}, []string{"没收违法所得"}, whoOrgs},
			{"偷税", "%s通过隐匿收入方式进行虚假纳税申报，少缴税款", "《中华人民共和国税收征收管理法》第六十三条", [2]float64{5, 200}, nil, whoOrgs},
		},
		licences: []licence{
			{"核准", "准予税务行政许可决定书", "", "增值税防伪税控系统最高开票限额审批", 3, false, false},
		}},
	{key: "transport", prov: "交通运输厅", city: "交通运输局", abbr: "交", cityLevel: true, persons: true, weight: 10, lweight: 10,
		violations: []violation{
			{"超限运输", "%s所属车辆未经许可擅自超限运输", "《公路安全保护条例》第六十四条", [2]float64{0.05, 3}, nil, whoOrgs},
			{"非法营运", "当事人%s未取得道路运输经营许可，擅自从事道路旅客运输经营", "《中华人民共和国道路运输条例》第六十三条", [2]float64{1, 10}, []string{"没收违法所得"}, whoBoth},
			{"未按规定维护车辆", "%s未按规定维护和检测运输车辆", "《中华人民共和国道路运输条例》第七十条", [2]float64{0.1, 0.3}, nil, whoOrgs},
		},
		licences: []licence{
			{"普通", "道路运输经营许可决定书", "道路运输经营许可证", "道路普通货物运输", 4, false, false},
			{"普通", "道路运输从业资格许可决定书", "道路运输从业人员从业资格证", "经营性道路货物运输驾驶员", 6, true, false},
		}},
	{key: "housing", prov: "住房和城乡建设厅", city: "住房和城乡建设局", abbr: "建", cityLevel: true, weight: 8, lweight: 12,
		violations: []violation{
			{"未取得施工许可擅自施工", "%s未取得施工许可证擅自施工", "《建设工程质量管理条例》第五十七条", [2]float64{1, 20}, nil, whoOrgs},
			{"违反工程建设强制性标准", "%s在施工中偷工减料，使用不合格的建筑材料", "《建设工程质量管理条例》第六十四条", [2]float64{10, 80}, []string{"责令停产停业", "降低资质等级"}, whoOrgs},
			{"拖欠农民工工资", "%s未按约定支付农民工工资", "《保障农民工工资支付条例》第五十五条", [2]float64{2, 10}, []string{"限制开展生产经营活动"}, whoOrgs},
		},
		licences: []licence{
			{"普通", "建筑工程施工许可决定书", "建筑工程施工许可证", "房屋建筑工程施工", 1, false, true},
			{"认可", "建筑业企业资质许可决定书", "建筑业企业资质证书", "建筑工程施工总承包三级", 5, false, true},
			{"普通", "商品房预售许可决定书", "商品房预售许可证", "商品住宅预售", 2, false, true},
		}},
	{key: "health", prov: "卫生健康委员会", city: "卫生健康委员会", abbr: "卫", cityLevel: true, persons: true, weight: 6, lweight: 8,
		violations: []violation{
			{"非法行医", "当事人%s未取得医疗机构执业许可证擅自执业", "《医疗机构管理条例》第四十三条", [2]float64{1, 10}, []string{"没收违法所得", "没收非法财物"}, whoBoth},
			{"公共场所卫生违法", "%s未取得有效健康合格证明的从业人员直接为顾客服务", "《公共场所卫生管理条例实施细则》第三十八条", [2]float64{0.05, 0.5}, nil, whoOrgs},
			{"医疗废物处置不规范", "%s未按规定对医疗废物进行分类收集", "《医疗废物管理条例》第四十六条", [2]float64{0.5, 3}, nil, whoOrgs},
		},
		licences: []licence{
			{"普通", "医疗机构执业许可决定书", "医疗机构执业许可证", "内科、外科、口腔科诊疗科目", 5, false, false},
			{"普通", "公共场所卫生许可决定书", "公共场所卫生许可证", "住宿、沐浴场所", 4, false, false},
			{"认可", "医师执业注册决定书", "医师执业证书", "临床类别内科专业执业注册", 5, true, false},
		}},
	{key: "land", prov: "自然资源厅", city: "自然资源局", abbr: "自然资源", cityLevel: true, persons: true, weight: 5, lweight: 5,
		violations: []violation{
			{"非法占用土地", "%s未经批准擅自占用集体土地建设厂房", "《中华人民共和国土地管理法》第七十七条", [2]float64{1, 30}, []string{"没收非法财物"}, whoBoth},
			{"非法采矿", "%s未取得采矿许可证擅自开采砂石", "《中华人民共和国矿产资源法》第三十九条", [2]float64{2, 50}, []string{"没收违法所得"}, whoBoth},
		},
		licences: []licence{
			{"特许", "采矿权审批决定书", "采矿许可证", "建筑用砂石露天开采", 5, false, true},
			{"普通", "建设用地规划许可决定书", "建设用地规划许可证", "商住用地规划许可", 2, false, true},
		}},
	{key: "fire", prov: "消防救援总队", city: "消防救援支队", abbr: "消", pubSector: "消防", cityLevel: true, weight: 5, lweight: 3,
		violations: []violation{
			{"消防设施未保持完好有效", "%s消防设施、器材未保持完好有效", "《中华人民共和国消防法》第六十条", [2]float64{0.5, 5}, []string{"责令停产停业"}, whoOrgs},
			{"堵塞消防通道", "%s占用、堵塞、封闭疏散通道、安全出口", "《中华人民共和国消防法》第六十条", [2]float64{0.5, 5}, nil, whoOrgs},
		},
		licences: []licence{
			{"普通", "公众聚集场所投入使用、营业前消防安全检查合格决定书", "", "公众聚集场所投入使用、营业前消防安全检查", 5, false, false},
		}},
	{key: "police", prov: "公安厅", city: "公安局", abbr: "公", cityLevel: true, persons: true, weight: 6, lweight: 12,
		violations: []violation{
			{"扰乱公共秩序", "违法行为人%s在公共场所起哄闹事，扰乱公共秩序", "《中华人民共和国治安管理处罚法》第二十三条", [2]float64{0.02, 0.05}, []string{"行政拘留"}, whoPersons},
			{"殴打他人", "违法行为人%s因琐事与他人发生纠纷并殴打他人", "《中华人民共和国治安管理处罚法》第四十三条", [2]float64{0.02, 0.05}, []string{"行政拘留"}, whoPersons},
			{"旅馆业未登记旅客信息", "%s未按规定登记住宿旅客身份信息", "《中华人民共和国治安管理处罚法》第五十六条", [2]float64{0.02, 0.05}, nil, whoOrgs},
		},
		licences: []licence{
			{"普通", "中国公民因私出国（境）证件签发决定书", "普通护照", "普通护照签发", 10, true, false},
			{"普通", "旅馆业特种行业许可决定书", "特种行业许可证", "旅馆业", 5, false, false},
			{"普通", "剧毒化学品购买许可决定书", "剧毒化学品购买许可证", "剧毒化学品购买", 1, false, true},
		}},
	{key: "culture", prov: "文化和旅游厅", city: "文化和旅游局", abbr: "文旅", cityLevel: false, weight: 2, lweight: 3,
		violations: []violation{
			{"未经许可经营旅行社业务", "%s未取得旅行社业务经营许可从事旅行社业务", "《旅行社条例》第四十六条", [2]float64{1, 10}, []string{"没收违法所得"}, whoOrgs},
			{"网吧接纳未成年人", "%s营业性互联网上网服务场所接纳未成年人进入", "《互联网上网服务营业场所管理条例》第三十一条", [2]float64{0.5, 1.5}, []string{"吊销许可证件"}, whoOrgs},
		},
		licences: []licence{
			{"普通", "旅行社业务经营许可决定书", "旅行社业务经营许可证", "国内旅游业务、入境旅游业务", 5, false, true},
			{"普通", "网络文化经营许可决定书", "网络文化经营许可证", "利用信息网络经营演出剧（节）目、表演", 3, false, true},
		}},
	{key: "labour", prov: "人力资源和社会保障厅", city: "人力资源和社会保障局", abbr: "人社", cityLevel: false, weight: 2, lweight: 2,
		violations: []violation{
			{"拖欠劳动报酬", "%s克扣、无故拖欠劳动者工资报酬，经责令限期支付逾期未支付", "《劳动保障监察条例》第二十六条", [2]float64{0.2, 2}, nil, whoOrgs},
			{"未依法缴纳社会保险费", "%s未按时足额缴纳社会保险费", "《中华人民共和国社会保险法》第八十六条", [2]float64{0.5, 5}, nil, whoOrgs},
		},
		licences: []licence{
			{"普通", "劳务派遣经营许可决定书", "劳务派遣经营许可证", "劳务派遣经营", 3, false, true},
			{"普通", "人力资源服务许可决定书", "人力资源服务许可证", "职业介绍、人才推荐", 5, false, true},
		}},
}

// Penalty category mixes (处罚类别) beside the violation's own extras:
// weights per thousand.
type mix struct {
	cats   []string
	weight int
}

var baseMixes = []mix{
	{[]string{"罚款"}, 640},
	{[]string{"警告"}, 120},
	{[]string{"警告", "罚款"}, 70},
	{[]string{"罚款", "EXTRA"}, 110}, // the violation's typical extra
	{[]string{"通报批评"}, 20},
	{[]string{"没收违法所得"}, 15},
	{[]string{"罚款", "吊销许可证件"}, 10},
	{[]string{"暂扣许可证件"}, 8},
	{[]string{"责令停产停业"}, 7},
}

var withdrawNotes = []struct{ reason, note string }{
	{"revoked", "行政复议决定撤销原处罚决定"},
	{"changed", "原决定经复查变更，重新作出决定"},
	{"voided", "人民法院判决确认原决定无效"},
	{"revoked", "原决定认定事实不清，依职权撤销"},
}
